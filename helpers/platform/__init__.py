"""The platform layer: what every other layer stands on, and nothing AWS-service specific.

Modules
-------
clock       the simulated clock (time-machine, frozen) and the real one
eventlog    ``env.log``: one row per operation, as a pandas frame
recorder    botocore hooks that name, tag, track and log every call
naming      the run prefix and the AWS naming rules
resources   what a run created, and its teardown in dependency order
safety      the loopback guard of the local backends
errors      one base error, one subclass per failure mode
limits      every AWS limit the course teaches, one named constant with its unit and source
plotting    the course figure (PNG, optional ``ax``)
about       versions for the first cell of every notebook
"""

from __future__ import annotations

__all__: list[str] = []
