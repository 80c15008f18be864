# kramers: build, test and run. See README.md.
GO       ?= go
BIN      := bin/kramers
# Debian packages: glslang-tools validates generated GLSL; xvfb and the X11/GL headers serve
# go-gl/glfw; libegl-dev gives headless EGL; xdotool and imagemagick drive the window tests;
# dataset-fashion-mnist holds the idx files that --data fashion-mnist reads (host/data/named.go).
DEB_PKGS := glslang-tools xvfb xauth libgl1-mesa-dev libegl-dev libx11-dev libxcursor-dev \
            libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev mesa-utils xdotool imagemagick \
            libgl1-mesa-dri dataset-fashion-mnist
# Optional, for `make bench-networks` only (not for build, test or run): Debian's PyTorch, which
# bench/torch/ensemble_sgd.py needs, and Debian's python3, where python3-torch installs.
BENCH_PKGS := python3-torch
PYTHON   ?= /usr/bin/python3
XVFB_RUN := xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp"

.PHONY: all deps bench-deps build test test-nogl bench bench-networks lint run fuzz clean device-bundle device-check

all: build

# install_debs NAME,PACKAGES: install the missing Debian packages when root, else say how.
define install_debs
	@missing=""; for p in $(2); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "$(1): all Debian packages present"; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "$(1): installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "$(1): missing$$missing; not root, so not installing: run  sudo apt-get install -y$$missing"; fi
endef

deps:
	$(call install_debs,deps,$(DEB_PKGS))

bench-deps:
	$(call install_debs,bench-deps,$(BENCH_PKGS))

build:
	$(GO) build -o $(BIN) ./cmd/kramers

# Every test, GL ones included, under a private Xvfb. A missing GL fails the run; nothing skips.
test: deps build
	$(XVFB_RUN) $(GO) test -count=1 -timeout 25m ./...

# Only the packages that need no GL (landscape, rng, theory, host).
test-nogl:
	$(GO) test -count=1 ./host/...

# Go benchmarks (CPU reference, host loop, GPU step), then kramers bench: every case on both
# backends, medians of 5 runs, with load average and renderer; BENCHMARKS.md explains the numbers.
bench: build
	cat /proc/loadavg
	$(XVFB_RUN) $(GO) test -run '^$$' -bench . -benchtime 3x ./validate/ ./host/ ./gpu/ ./gpu/view/
	$(XVFB_RUN) ./$(BIN) bench --repeat 5 --json bin/bench.json

# The network cases (7–9) against the PyTorch ensemble loop of bench/torch/ensemble_sgd.py on the
# same rows, alternating repeat by repeat (BENCHMARKS.md "Networks").
bench-networks: build bench-deps
	cat /proc/loadavg
	./$(BIN) bench --cases 7,8,9 --write-data bin/bench-data
	$(XVFB_RUN) $(PYTHON) bench/torch/ensemble_sgd.py --cases 7,8,9 --data-dir bin/bench-data --threads 1,2 \
	  --repeat 5 --kramers ./$(BIN) --json bin/bench-networks.json

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...

fuzz:
	$(GO) test ./host/landscape -run '^$$' -fuzz FuzzParse -fuzztime 60s
	$(GO) test ./host/landscape -run '^$$' -fuzz FuzzCatalogueSpec -fuzztime 60s
	$(GO) test ./host/store -run '^$$' -fuzz FuzzReadCheckpoint -fuzztime 60s

run: deps build
	./$(BIN) reproduce --quick --out results/; status=$$?; echo "report: results/report.md (results.json and the figures beside it)"; exit $$status

# The GPU check of a lent NVIDIA machine (no Go there): device-bundle builds bin/kramers and fetches
# the GL and X11 libraries into .gl/ here; device-check runs on that machine (carry bin and .gl).
device-bundle:
	bash deploy/device/bundle.sh

device-check:
	bash deploy/device/check.sh

clean:
	rm -rf bin
