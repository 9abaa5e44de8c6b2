"""moto's Step Functions engine loads without moto's EC2/Batch backends, and Batch still works."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    import helpers
    from helpers.choosing import services
    env = helpers.connect(quiet=True)
    machine = services.fulfillment_machine(env)
    run = env.client("stepfunctions").start_execution(stateMachineArn=machine, name="a", input="{}")
    status = services.wait_for_execution(env, run["executionArn"])["status"]
    loaded_ec2 = "moto.ec2" in sys.modules
    batch = env.client("batch").describe_compute_environments()["computeEnvironments"]
    import moto.batch
    print(json.dumps([status, loaded_ec2, batch, moto.batch.utils.JobStatus.SUCCEEDED.name]))
    env.teardown()
""")


def test_step_functions_run_without_loading_ec2_and_batch_still_loads():
    # GIVEN a fresh interpreter (sys.modules untouched by other tests)
    # WHEN a state machine runs, then Batch is used
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    # THEN the execution succeeded without moto's EC2 backend, and Batch loads in full later
    assert out.strip().splitlines()[-1] == '["SUCCEEDED", false, [], "SUCCEEDED"]'
