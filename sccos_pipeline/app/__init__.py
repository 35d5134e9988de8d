"""The app behind cdk.json: settings (plain Python) and one stack per environment (CDK).

Layers, each importing only those before it: `core` (no CDK) ← `cdk` (constructs) ← `app`.
"""
