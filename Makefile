# fairbid-ha entry points. Everything installs what it needs on first use.
PY      := .venv/bin/python
# the package's command (pyproject.toml; `pip install -e .` in deps): the targets below are thin wrappers over it
FAIRBID := .venv/bin/fairbid-ha
S       ?= redis-4
GROUP   ?= redis
BACKEND ?= local
LAB     ?= conf/lab.yaml
TARGET  ?=
# a target file adopts a team's own stack instead of building one (README, "Test your own stack")
TARGET_ARG := $(if $(TARGET),--target $(TARGET),)
# distributed load: WORKERS=N worker processes here, DOCKER_WORKERS=N containers on a Docker lab's network
# (compose/locust.yml), REMOTE_WORKERS=M more started elsewhere (make worker)
WORKERS ?= 0
DOCKER_WORKERS ?= 0
REMOTE_WORKERS ?= 0
MASTER_BIND ?=
MASTER_HOST ?= 127.0.0.1
MASTER_PORT ?= 5557
WORKER_ARGS := $(if $(filter-out 0,$(WORKERS) $(REMOTE_WORKERS) $(DOCKER_WORKERS)),--workers $(WORKERS) --docker-workers $(DOCKER_WORKERS) --remote-workers $(REMOTE_WORKERS) $(if $(MASTER_BIND),--master-bind $(MASTER_BIND)),)

RUNS    ?= 3
SEED    ?= 1
FAULTS  ?=
ONLY    ?=
# the engine scripts/docker-engine.sh starts on machines that have none of their own
ifneq ($(wildcard .docker/docker.sock),)
export DOCKER_HOST ?= unix://$(CURDIR)/.docker/docker.sock
endif

.PHONY: demo test scenario worker edition campaign catalog compare results plan example-up example-down heal down up index durability bench bench-docker docker-up docker-down docker-test deps system-deps

demo: deps  ## the Sentinel failover scenario end to end: load, a kill 30 s in, a report
	$(FAIRBID) run redis-4 --backend $(BACKEND) --lab $(LAB)

test: deps  ## the whole suite, on real servers (a lab of its own: conf/lab.test.yaml)
	$(PY) -m pytest -q tests

scenario: deps  ## make scenario S=ID [BACKEND=local] [TARGET=path.yaml] [WORKERS=N]
	$(FAIRBID) run $(S) --backend $(BACKEND) --lab $(LAB) $(TARGET_ARG) $(WORKER_ARGS)

worker: deps  ## a Locust worker for a master on another machine: make worker MASTER_HOST=H [MASTER_PORT=5557]
	$(FAIRBID) worker --master-host $(MASTER_HOST) --master-port $(MASTER_PORT)

campaign: deps  ## make campaign S=ID SEED=n RUNS=k [FAULTS=kill,pause,cut] [ONLY=i]: seeded fault schedules, results/campaigns/ID-seedN/campaign.md
	$(FAIRBID) campaign $(S) --seed $(SEED) --runs $(RUNS) $(if $(FAULTS),--faults $(FAULTS)) $(if $(ONLY),--only $(ONLY)) --backend $(BACKEND) --lab $(LAB)

catalog: deps  ## make catalog GROUP=redis|stream|rdb|gray|client|cluster|all [TARGET=path.yaml]
	$(FAIRBID) catalog $(GROUP) --backend $(BACKEND) --lab $(LAB) $(TARGET_ARG)

compare: deps  ## make compare DIRS="results/RUN_A results/RUN_B"
	$(PY) analysis/compare.py $(DIRS)

# FROM=dir: every run directory under dir, documents beside it; BACKEND only filters there when given
results: deps  ## make results [BACKEND=local] [FROM=dir] [TARGET_NAME=name: the runs against that target]
	$(PY) -m analysis.results_doc $(if $(TARGET_NAME),--target $(TARGET_NAME)) $(if $(FROM),--from $(FROM) $(if $(filter command line environment,$(origin BACKEND)),--backend $(BACKEND)),$(if $(TARGET_NAME),,--backend $(BACKEND)))

client-table: deps  ## make client-table RUNS="docs/results/lettuce/runs/RUN ...": client-recipe.md's table from runs of redis-5-lettuce
	$(PY) -m analysis.client_table $(RUNS)

edition: deps  ## make edition OUT=dir [BACKEND=local] [TARGET_NAME=name]: newest catalog runs copied (no CSVs) + both documents; docs/results is one
	$(PY) -m analysis.edition $(or $(OUT),results/edition) --backend $(BACKEND) $(if $(TARGET_NAME),--target $(TARGET_NAME))
	$(PY) -m harness.staleness $(or $(OUT),results/edition)
	$(PY) -m analysis.results_doc --from $(or $(OUT),results/edition)/runs $(if $(TARGET_NAME),--target $(TARGET_NAME))

plan: deps  ## make plan S=ID TARGET=path.yaml: what each fault would act on, and whether every node answers
	$(FAIRBID) plan $(S) --target $(TARGET)

EXAMPLE ?= plan-stack
EXAMPLE_SCRIPT = $(if $(filter fairbid,$(EXAMPLE)),scripts/fairbid-stack.sh,scripts/example-stack.sh)

example-up: docker-up  ## a worked example's stack: EXAMPLE=plan-stack (Node.js + ioredis) or EXAMPLE=fairbid (Spring Boot, Lettuce)
	$(if $(filter fairbid,$(EXAMPLE)),bash scripts/fairbid-stack.sh build)
	bash $(EXAMPLE_SCRIPT) up

example-down:  ## remove that example's containers (its Compose project only)
	bash $(EXAMPLE_SCRIPT) down

heal: deps  ## undo every fault of the project still in place (also after a SIGKILL)
	$(FAIRBID) heal

down: deps  ## stop every lab of the project, then heal
	$(FAIRBID) down

up: deps  ## bring a lab up for the web UI: make up S=ID, then locust -f locustfile.py --scenario ID
	$(FAIRBID) up $(S) --backend $(BACKEND) --lab $(LAB) $(TARGET_ARG)

durability: deps  ## every durability mode x fault, RUNS times each, one table
	$(PY) -m harness.durability --runs $(RUNS) --lab $(LAB)

bench: deps  ## every benchmark of bench/, figures printed and kept in results/bench/
	$(PY) -m bench.analysis_speed
	$(PY) -m bench.ready_time
	$(PY) -m bench.fault_timing
	$(PY) -m bench.error_window
	$(PY) -m bench.overhead
	$(PY) -m bench.instructions
	$(PY) -m bench.profile
	$(PY) -m bench.capacity
	$(PY) -m bench.distributed
	$(PY) -m bench.error_window --workers 2
	$(PY) -m bench.error_window --workers 2 --scenario redis-4
	$(PY) -m bench.failover_settings
	test -d examples/plan-stack/node_modules || (cd examples/plan-stack && npm ci --omit=dev --no-audit --no-fund)
	$(PY) -m bench.client_cost

bench-docker: deps docker-up  ## the benchmarks of the Docker backend (ready time; kill and cut at down-after 5000), on the engine docker-up starts
	$(PY) -m bench.ready_time --backend docker
	$(PY) -m bench.failover_settings --backend docker --down-after 5000

docker-up:  ## a Docker engine and the local images, for BACKEND=docker where none runs (Debian packages)
	bash scripts/docker-engine.sh install
	bash scripts/docker-engine.sh start
	bash scripts/docker-engine.sh images

docker-down:  ## stop that engine, remove its containers, networks and bridges
	bash scripts/docker-engine.sh stop

docker-test: deps docker-up  ## the Docker backend's tests on a real engine
	DOCKER_HOST=unix://$(CURDIR)/.docker/docker.sock $(PY) -m pytest -q tests/test_docker.py

index: deps
	$(FAIRBID) index

deps: .venv/.installed system-deps

.venv/.installed: requirements.txt pyproject.toml
	python3 -m venv .venv
	.venv/bin/pip install -q -r requirements.txt
	.venv/bin/pip install -q -e .
	touch $@

system-deps:
	@bash scripts/install-system-deps.sh
