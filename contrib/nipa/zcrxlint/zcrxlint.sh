#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A netdev patch CI (NIPA) patch test: zcrxlint on the commit at HEAD, read against its
# parent. Copy this directory to nipa's tests/patch/zcrxlint/. NIPA's protocol: exit 0
# success, 250 warning, anything else failure; one line of description on $DESC_FD;
# the full report in $RESULTS_DIR.

results=${RESULTS_DIR:-.}
desc=${DESC_FD:-1}
report="$results/zcrxlint.txt"

zcrxlint series HEAD --showfile -q --fail-on never > "$report" 2> "$results/zcrxlint.err"
rc=$?
if [ $rc -ne 0 ]; then
	echo "zcrxlint could not run: $(head -n1 "$results/zcrxlint.err")" >&"$desc"
	exit 1
fi

errors=$(grep -c ': ERROR:ZCX' "$report")
warnings=$(grep -c ': WARNING:ZCX' "$report")
# The closing NOTE line counts the files analysed in part ("NOTE: 3 files analysed in part: ...").
partial=$(sed -n 's/^NOTE: \([0-9][0-9]*\) files\{0,1\} analysed in part: .*/\1/p' "$report" | head -n1)
partial=${partial:-0}
echo "Errors: $errors Warnings: $warnings Partly read: $partial" >&"$desc"

[ "$errors" -gt 0 ] && exit 1
[ "$warnings" -gt 0 ] && exit 250
exit 0
