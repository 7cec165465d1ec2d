.PHONY: setup demo test test-fast lint sanity bench bench-docker schema golden

setup:      ## install the venv, node, openclaw (pinned) and link the collection
	bash scripts/bootstrap.sh
demo:       ## the README's main job: preview + validate the demo fleet
	bash scripts/demo.sh
test:       ## everything CI runs
	bash scripts/test.sh
test-fast:  ## unit tests only, seconds
	bash scripts/test.sh fast
lint:
	ANSIBLE_COLLECTIONS_PATH=.build/collections .venv/bin/ansible-lint
sanity:
	bash scripts/sanity.sh
bench:
	.venv/bin/python benchmarks/render_scale.py
	.venv/bin/python benchmarks/preflight_scale.py
bench-docker: ## benchmarks that start real gateways on the local Docker engine (minutes)
	.venv/bin/python benchmarks/deploy_demo.py
	.venv/bin/python benchmarks/update_overhead.py
schema:     ## regenerate schemas/fleet.schema.json, the reference tables and docs/policy.md parts
	.venv/bin/python scripts/export_schema.py
	.venv/bin/python scripts/export_policy_docs.py
golden:     ## regenerate inventory golden files after an intended change
	CLAWOPS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/integration/test_inventory.py
