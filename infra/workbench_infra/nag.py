"""cdk-nag 3.x: findings are acknowledged through CDK's own ``Validations`` API, one per finding."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Accept ``rule`` (e.g. ``AwsSolutions-IAM5[Resource::*]``) on ``construct`` and below, for ``reason``."""
    if len(reason) < 40:
        raise ValueError(f"{rule}: say why it is acceptable (a reason of 40 characters or more)")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
