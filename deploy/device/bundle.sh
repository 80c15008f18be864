#!/usr/bin/env bash
# Prepares a GPU check for a machine without Go, without package registries and with NVIDIA's driver
# (the device machines this project is sometimes lent): builds bin/kramers here and downloads into
# .gl/ the Debian packages of the shared libraries it needs there (the GL dispatch libraries of
# glvnd, EGL, and the X11 client libraries that the GLFW build links). Both travel with the working
# tree (.gl/ and bin/ are ignored by git: name them in the device tool's carry). Then, there:
#   bash deploy/device/check.sh        (writes its results to $OUT, or to device-check/ without it)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/usr/local/go/bin:$PATH"
make build
mkdir -p .gl /tmp/kramers-apt-amd64/partial
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/kramers-apt-amd64)
apt-get "${apt_opts[@]}" update -qq
# ldd bin/kramers lists libX11, libGL (glvnd: libGLX, libGLdispatch), libxcb, libXau, libXdmcp,
# libbsd, libmd; EGL (libEGL, opened with dlopen) and libOpenGL complete the glvnd set.
(cd .gl && apt-get "${apt_opts[@]}" download libglvnd0 libgl1 libglx0 libegl1 libopengl0 libgles2 \
  libx11-6 libx11-data libxcb1 libxau6 libxdmcp6 libbsd0 libmd0)
ls -l .gl bin/kramers
