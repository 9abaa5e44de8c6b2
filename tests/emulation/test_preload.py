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


IRI_SCRIPT = textwrap.dedent("""
    import json, sys
    import helpers
    env = helpers.connect(quiet=True)
    env.client("apigateway").create_rest_api(name="scratch")
    grammar_loaded_by_api_gateway = "lark" in sys.modules
    import jsonschema
    checker = jsonschema.FormatChecker()
    answers = [checker.conforms("https://example.com/caf\\u00e9", "iri"),
               checker.conforms("no scheme here", "iri")]
    real = getattr(sys.modules["rfc3987_syntax"], "__deferred__", False) is False
    print(json.dumps([grammar_loaded_by_api_gateway, answers, real]))
    env.teardown()
""")


def test_api_gateway_loads_without_the_iri_grammar_and_iri_checks_still_answer():
    # GIVEN a fresh interpreter and an open environment
    # WHEN API Gateway is first used, then jsonschema checks the "iri" format
    out = subprocess.run([sys.executable, "-c", IRI_SCRIPT], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    # THEN the grammar was not compiled for API Gateway, the format check answers as the real
    # package does (a valid IRI, an invalid one), and the real package is loaded by then
    assert out.strip().splitlines()[-1] == "[false, [true, false], true]"
