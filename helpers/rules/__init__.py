"""AWS's rules as pure functions: what AWS decides, with no moto and no boto3.

This layer sits below the emulation (which applies these rules inside moto), the service
toolkits (which apply them on every backend, ``aws`` included, where AWS decides the same way)
and the teaching framework (whose checks grade answers against them). It imports only
:mod:`helpers.platform`.

=================================  ===========================================================
module                             AWS's rules
=================================  ===========================================================
:mod:`.operators`                  the match operators event patterns and filter policies share
:mod:`.patterns`                   EventBridge event patterns: ``compile_pattern`` (validation,
                                   AWS's reasons) and ``matches(pattern, event)``
:mod:`.filter_policies`            SNS filter policies: ``validate_policy`` and ``matches``
:mod:`.input_transformer`          EventBridge target input (Input, InputPath, InputTransformer)
:mod:`.asl`                        the Amazon States Language interpreter (on a given clock)
:mod:`.asl_paths`                  ASL paths and Parameters templates (JSONPath, ResultPath)
:mod:`.asl_intrinsics`             ASL intrinsic functions (``States.Format`` ...)
:mod:`.asl_definitions`            Step Functions definition rules in AWS's words
:mod:`.alarms`                     CloudWatch alarm evaluation and metric-math arithmetic
:mod:`.iam`                        IAM's evaluation of resource policies (explicit deny wins)
=================================  ===========================================================
"""

from __future__ import annotations

__all__: list[str] = []
