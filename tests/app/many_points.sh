#!/bin/sh
# tests/app/many_points.sh MSS — every design point of a sweep is checked before the first run,
# however many there are: a 2 x 1002 grid whose points are invalid only in combination
# (p_cut_link + p_patrol_hit > 1 in regime calm, past the first 1,000 points) is refused by
# mss validate and mss sweep (exit 2), and the sweep writes nothing. Runs in a temporary
# directory; started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"
values=$(awk 'BEGIN { for (i = 0; i < 1002; i++) printf "%s%.4f", (i ? ", " : ""), i * 0.00097 }')
cat >grid.toml <<EOT
[sweep]
name = "many-points"
base = "$root/tests/cluster/small.toml"
seed = 1
replications = 1
design = "grid"

[[factor]]
key = "violence.regime.calm.p_cut_link"
values = [0.0, 0.6]

[[factor]]
key = "violence.regime.calm.p_patrol_hit"
values = [$values]
EOT
sh "$root/tests/app/expect.sh" 2 "" \
    "design point [0-9]+ \\(violence.regime.calm.p_cut_link=0.6, violence.regime.calm.p_patrol_hit=0\\.[0-9]+\\): " \
    -- timeout -k 5 300 "$mss" validate grid.toml || status=1
sh "$root/tests/app/expect.sh" 2 "" "design point [0-9]+ " \
    -- timeout -k 5 300 "$mss" sweep grid.toml -q -j 2 || status=1
if [ "$(ls -A)" != "grid.toml" ]; then
    echo "FAIL: a refused sweep left: $(ls -A)"
    status=1
fi
exit $status
