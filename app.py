#!/usr/bin/env python3
"""CDK entry point: `cdk synth` builds every environment of cdk.json; `cdk deploy STACK` one."""

import sys

from sccos_pipeline.app.main import main

sys.exit(main())
