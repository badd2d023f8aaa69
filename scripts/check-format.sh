#!/usr/bin/env bash
# check-format.sh FILE...: clang-format --dry-run --Werror (style: .clang-format)
# over the files; lists the files that differ and the first violations of each.
# `make format` fixes them in place.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cf=${CLANG_FORMAT:-clang-format}
echo "$($cf --version); $# files"
bad=()
for f in "$@"; do
	if ! out=$($cf --dry-run --Werror --style=file:"$top/.clang-format" "$f" 2>&1); then
		bad+=("${f#"$top"/}")
		printf '%s\n' "$out" | head -n 6 | sed 's/^/    /'
	fi
done
if [ ${#bad[@]} -gt 0 ]; then
	echo "format: ${#bad[@]} of $# files not clang-formatted (run 'make format'):"
	printf '  %s\n' "${bad[@]}"
	exit 1
fi
echo "format: all $# files clean"
