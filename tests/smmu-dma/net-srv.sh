#!/usr/bin/env bash
# smmu-dma: the host end of the guest's TCP transfers (tests/smmu-dma/run.sh, loop boot). QEMU's
# user network runs it once per guest connection to 10.0.2.100:80 (-netdev user,guestfwd=
# tcp:10.0.2.100:80-cmd:...), the connection on stdin and stdout. The guest (busybox nc, which
# half-closes the connection at the end of its input) sends one request line:
#   md5     -> the MD5 of FILE
#   data    -> FILE
#   sum     -> "MD5 BYTES" of everything the guest sends after the line, up to its end
# Each exchange is one line of LOG: "REQUEST BYTES MD5".
#
#   net-srv.sh FILE LOG
set -u
file=$1 log=$2
exec 2>> "$log.err"	# stderr would go to the guest (slirp gives the child the socket)
IFS= read -r req || exit 0	# bash reads a socket byte by byte: the rest stays unread
case $req in
md5)
	s=$(md5sum < "$file" | cut -d' ' -f1)
	echo "$s"
	echo "md5 $((${#s} + 1)) $s" >> "$log" ;;
data)
	cat "$file"
	echo "data $(stat -c %s "$file") $(md5sum < "$file" | cut -d' ' -f1)" >> "$log" ;;
sum)
	tmp=$(mktemp)
	cat > "$tmp"
	s="$(md5sum < "$tmp" | cut -d' ' -f1) $(stat -c %s "$tmp")"
	rm -f "$tmp"
	echo "$s"
	echo "sum ${s#* } ${s%% *}" >> "$log" ;;
*)
	echo "refused: $req" >> "$log" ;;
esac
