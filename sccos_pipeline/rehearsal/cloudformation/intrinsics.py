"""CloudFormation's intrinsic functions, evaluated against one stack's concrete names.

The stack (see template.py) answers Ref and Fn::GetAtt for its own resources; this module does
the rest: pseudo parameters, Parameters, Conditions and the string and list functions. Anything
that needs another stack or a transform is refused, naming the function and where it stands.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Protocol

from ..errors import RehearsalError

# Ref AWS::NoValue: the key or list item holding it disappears.
NO_VALUE: Any = object()

PSEUDO_PARAMETERS = (
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NotificationARNs",
)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Stack(Protocol):
    """What the evaluator needs from the stack: its template and its resources' identities."""

    template: dict[str, Any]

    def pseudo_parameter(self, name: str) -> Any: ...

    def parameter(self, name: str) -> Any: ...

    def ref(self, logical_id: str) -> str: ...

    def get_att(self, logical_id: str, attribute: str) -> str: ...


def intrinsic_name(value: dict[str, Any]) -> str | None:
    """The function a one-key object calls (`Ref` or `Fn::*`), else None."""
    if len(value) != 1:
        return None
    (key,) = value
    return key if key == "Ref" or key.startswith("Fn::") else None


class Evaluator:
    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    def resolve(self, value: Any, where: str) -> Any:
        """The value with every intrinsic replaced; a top-level AWS::NoValue is None."""
        out = self._value(value, where)
        return None if out is NO_VALUE else out

    def condition(self, name: str, where: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        conditions = self._stack.template.get("Conditions") or {}
        if name not in conditions:
            raise RehearsalError(f"condition {name!r} used at {where} is not in the template")
        if name in self._evaluating:
            raise RehearsalError(f"condition {name!r} refers to itself (at {where})")
        self._evaluating.add(name)
        try:
            result = self._truth(conditions[name], f"Conditions/{name}")
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def _value(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            fn = intrinsic_name(value)
            if fn is not None:
                return self._call(fn, value[fn], f"{where}/{fn}")
            out = {}
            for key, item in value.items():
                resolved = self._value(item, f"{where}/{key}")
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            items = (self._value(item, f"{where}/{i}") for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        return value

    def _call(self, fn: str, arg: Any, where: str) -> Any:
        handler = _FUNCTIONS.get(fn)
        if handler is None:
            raise RehearsalError(
                f"{fn} at {where} is not supported by the rehearsal: it runs one stack alone, "
                "without imports from other stacks or transforms; resolve it in the CDK app"
            )
        return handler(self, arg, where)

    def _ref(self, arg: Any, where: str) -> Any:
        name = self._value(arg, where)
        if not isinstance(name, str):
            raise RehearsalError(f"Ref at {where} needs a name, not {name!r}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            return self._stack.pseudo_parameter(name)
        if name in (self._stack.template.get("Parameters") or {}):
            return self._stack.parameter(name)
        if name in (self._stack.template.get("Resources") or {}):
            return self._stack.ref(name)
        raise RehearsalError(f"Ref at {where} names {name!r}: no such parameter or resource")

    def _get_att(self, arg: Any, where: str) -> str:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        parts = self._value(arg, where)
        if not (
            isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)
        ):
            raise RehearsalError(f"Fn::GetAtt at {where} needs [logical id, attribute]")
        if parts[0] not in (self._stack.template.get("Resources") or {}):
            raise RehearsalError(f"Fn::GetAtt at {where} names unknown resource {parts[0]!r}")
        return self._stack.get_att(parts[0], parts[1])

    def _sub(self, arg: Any, where: str) -> str:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], self._value(arg[1], where)
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise RehearsalError(f"Fn::Sub at {where} needs a string or [string, variables]")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                value = self._get_att(name, where)
            else:
                value = self._ref(name, where)
            return _text(value, f"Fn::Sub variable ${{{name}}}", where)

        return _SUB_VARIABLE.sub(replace, text)

    def _join(self, arg: Any, where: str) -> str:
        parts = self._value(arg, where)
        if not (isinstance(parts, list) and len(parts) == 2 and isinstance(parts[1], list)):
            raise RehearsalError(f"Fn::Join at {where} needs [delimiter, list]")
        delimiter = _text(parts[0], "Fn::Join delimiter", where)
        return delimiter.join(_text(item, "Fn::Join item", where) for item in parts[1])

    def _select(self, arg: Any, where: str) -> Any:
        parts = self._value(arg, where)
        if not (isinstance(parts, list) and len(parts) == 2 and isinstance(parts[1], list)):
            raise RehearsalError(f"Fn::Select at {where} needs [index, list]")
        try:
            return parts[1][int(parts[0])]
        except (ValueError, TypeError, IndexError):
            raise RehearsalError(
                f"Fn::Select at {where}: index {parts[0]!r} is not in a list of {len(parts[1])}"
            ) from None

    def _split(self, arg: Any, where: str) -> list[str]:
        parts = self._value(arg, where)
        if not (isinstance(parts, list) and len(parts) == 2):
            raise RehearsalError(f"Fn::Split at {where} needs [delimiter, string]")
        delimiter = _text(parts[0], "Fn::Split delimiter", where)
        return _text(parts[1], "Fn::Split source", where).split(delimiter)

    def _if(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            raise RehearsalError(f"Fn::If at {where} needs [condition, if true, if false]")
        chosen = 1 if self.condition(arg[0], where) else 2
        return self._value(arg[chosen], f"{where}/{chosen}")

    def _truth(self, value: Any, where: str) -> bool:
        if isinstance(value, dict) and set(value) == {"Condition"}:
            return self.condition(value["Condition"], where)
        result = self._value(value, where)
        if not isinstance(result, bool):
            raise RehearsalError(f"condition at {where} is not true or false: {result!r}")
        return result

    def _conditions_of(self, fn: str, arg: Any, where: str) -> list[bool]:
        if not isinstance(arg, list) or not arg:
            raise RehearsalError(f"{fn} at {where} needs a list of conditions")
        return [self._truth(item, f"{where}/{i}") for i, item in enumerate(arg)]

    def _not(self, arg: Any, where: str) -> bool:
        (value, *more) = self._conditions_of("Fn::Not", arg, where)
        if more:
            raise RehearsalError(f"Fn::Not at {where} takes exactly one condition")
        return not value

    def _equals(self, arg: Any, where: str) -> bool:
        parts = self._value(arg, where)
        if not (isinstance(parts, list) and len(parts) == 2):
            raise RehearsalError(f"Fn::Equals at {where} needs two values")
        return bool(_comparable(parts[0]) == _comparable(parts[1]))

    def _contains(self, arg: Any, where: str) -> bool:
        parts = self._value(arg, where)
        if not (isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], list)):
            raise RehearsalError(f"Fn::Contains at {where} needs [list, value]")
        return _comparable(parts[1]) in [_comparable(item) for item in parts[0]]

    def _get_azs(self, arg: Any, where: str) -> list[str]:
        region = self._value(arg, where) or self._stack.pseudo_parameter("AWS::Region")
        region = _text(region, "Fn::GetAZs region", where)
        return [f"{region}{zone}" for zone in "abc"]

    def _find_in_map(self, arg: Any, where: str) -> Any:
        keys = self._value(arg, where)
        if not (isinstance(keys, list) and len(keys) == 3):
            raise RehearsalError(f"Fn::FindInMap at {where} needs [map, key, key]")
        value: Any = self._stack.template.get("Mappings") or {}
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                raise RehearsalError(f"Fn::FindInMap at {where}: {keys!r} is not in Mappings")
            value = value[key]
        return value

    def _base64(self, arg: Any, where: str) -> str:
        text = _text(self._value(arg, where), "Fn::Base64 value", where)
        return base64.b64encode(text.encode()).decode()


def _text(value: Any, what: str, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RehearsalError(f"{what} at {where} is not a string: {value!r}")


def _comparable(value: Any) -> Any:
    """CloudFormation compares condition operands as strings: true == "true", 1 == "1"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


_FUNCTIONS: dict[str, Any] = {
    "Ref": Evaluator._ref,
    "Fn::GetAtt": Evaluator._get_att,
    "Fn::Sub": Evaluator._sub,
    "Fn::Join": Evaluator._join,
    "Fn::Select": Evaluator._select,
    "Fn::Split": Evaluator._split,
    "Fn::If": Evaluator._if,
    "Fn::Equals": Evaluator._equals,
    "Fn::Not": Evaluator._not,
    "Fn::And": lambda self, arg, where: all(self._conditions_of("Fn::And", arg, where)),
    "Fn::Or": lambda self, arg, where: any(self._conditions_of("Fn::Or", arg, where)),
    "Fn::Contains": Evaluator._contains,
    "Fn::GetAZs": Evaluator._get_azs,
    "Fn::FindInMap": Evaluator._find_in_map,
    "Fn::Base64": Evaluator._base64,
}
