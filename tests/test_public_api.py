"""What users import: the package exports the constructs, their props and the plan types that
SprykerPipeline takes; the wiring modules are private (`_`-named) and nothing of them is
exported; every exported class says what it is."""

from __future__ import annotations

import inspect
from pathlib import Path

import sccos_pipeline
from sccos_pipeline import cdk

CDK = Path(cdk.__file__).parent
PUBLIC_MODULES = {"__init__.py", "environment.py", "pipeline.py", "props.py"}


def test_the_package_exports_the_cdk_shells_exports_from_its_own_list() -> None:
    assert set(cdk.__all__) <= set(sccos_pipeline.__all__)
    assert len(sccos_pipeline.__all__) == len(set(sccos_pipeline.__all__))
    for name in sccos_pipeline.__all__:
        assert getattr(sccos_pipeline, name) is not None, name
    for name in cdk.__all__:
        assert getattr(sccos_pipeline, name) is getattr(cdk, name), name


def test_what_sprykerpipeline_takes_is_exported() -> None:
    takes = inspect.signature(sccos_pipeline.SprykerPipeline.__init__).parameters["plan"].annotation
    assert takes == "PipelinePlan"
    assert {"PipelinePlan", "EnvironmentPlan", "PlanOptions", "build_environment_plan"} <= set(
        sccos_pipeline.__all__
    )


def test_wiring_is_private_and_not_exported() -> None:
    modules = {p.name for p in CDK.glob("*.py")}
    assert modules - PUBLIC_MODULES, "the wiring modules are gone?"
    assert all(m.startswith("_") for m in modules - PUBLIC_MODULES), modules - PUBLIC_MODULES
    for internal in ("ProjectContext", "project_from_plan", "plan_resources", "PIPELINE_IDS"):
        assert internal not in sccos_pipeline.__all__
        assert internal not in cdk.__all__


def test_every_exported_class_has_a_docstring() -> None:
    for name in sccos_pipeline.__all__:
        value = getattr(sccos_pipeline, name)
        if not inspect.isclass(value):
            continue
        doc = value.__dict__.get("__doc__") or ""
        # a dataclass without a docstring gets its signature as one
        assert doc.strip() and not doc.startswith(f"{value.__name__}("), name
