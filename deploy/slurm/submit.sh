#!/bin/bash
# Queue the shard array, then the merge step once every array task has succeeded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable "$here/kramers-array.sbatch")
sbatch --dependency="afterok:${array%%;*}" "$here/kramers-merge.sbatch"
