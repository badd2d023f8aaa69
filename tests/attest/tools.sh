#!/usr/bin/env bash
# The `attest-tools` suite: tools/attest/lockstep-verify and tools/attest/vm-measure from the
# command line, against reports made here by an independent signer (openssl, Python), in the
# layout of docs/attestation.md "Guest attestation report". The hypervisor's own reports are
# checked with the verifier's code in the unit tests (tests/unit/test_vmattest.c).
#   tools.sh LOCKSTEP-VERIFY VM-MEASURE OUTDIR
set -u
verify=$1 measure=$2 out=$3
mkdir -p "$out"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { local name=$1; shift; if "$@" > /dev/null; then ok "$name"; else nok "$name"; fi; }
echo "1..9"

# vm-measure: the known answer of the unit test (Python hashlib, computed apart).
python3 -c "open('$out/img1','wb').write(bytes(i & 0xff for i in range(4096)))"
python3 -c "open('$out/img2','wb').write(bytes(100))"
m=$("$measure" "$out/img1@0x10000000" "$out/img2@0x10003000" --vcpu 0 2>/dev/null)
check "vm-measure: known answer (page 0..255 at 0x10000000, zeros at 0x10003000, vCPU 0 reset)" \
	[ "$m" = effdc4151c379d55e574bf10e5c8ea501de28e16ef850a1ada329c5f514de25d ]

# A report signed by openssl with a key made here.
openssl ecparam -name prime256v1 -genkey -noout -out "$out/k.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$out/k2.pem" 2>/dev/null
mkrep() { # mkrep KEY MEAS NONCE OUT
	python3 - "$@" <<'PY'
import hashlib, struct, subprocess, sys
key, meas, nonce, out = sys.argv[1:5]
def pub(k):
    der = subprocess.run(["openssl", "ec", "-in", k, "-pubout", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    return der[-65:]
def der_int(b, i):
    assert b[i] == 2
    n = b[i + 1]
    return int.from_bytes(b[i + 2:i + 2 + n], "big"), i + 2 + n
p = pub(key)
body = struct.pack("<QII", 0x313052545441534c, 1, 1) + bytes.fromhex(meas) + \
       hashlib.sha256(b"mlog").digest() + bytes.fromhex(nonce) + hashlib.sha256(p).digest()
assert len(body) == 144
der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=body,
                     capture_output=True, check=True).stdout
r, i = der_int(der, 2)
s, _ = der_int(der, i)
open(out, "wb").write(body + r.to_bytes(32, "big") + s.to_bytes(32, "big"))
print(p.hex())
PY
}
nonce=$(printf '%064x' 0xabcdef)
pub=$(mkrep "$out/k.pem" "$m" "$nonce" "$out/rep")
pub2=$(mkrep "$out/k2.pem" "$m" "$nonce" "$out/rep2")
mlog=$(printf mlog | sha256sum | cut -c1-64)
check "lockstep-verify: a good report verifies (exit 0)" \
	"$verify" "$out/rep" "$pub" "$m" "$nonce" "$mlog"
fails() { # fails WHAT-IN-MESSAGE ARGS...: exit 1 and that reason
	local want=$1 msg; shift
	msg=$("$verify" "$@" 2>&1) && return 1
	grep -q -- "$want" <<< "$msg" || { echo "# got: $msg"; return 1; }
}
other=$(printf '%064x' 0xabcdee)
check "lockstep-verify: wrong nonce -> FAIL nonce mismatch" \
	fails "nonce mismatch" "$out/rep" "$pub" "$m" "$other" "$mlog"
check "lockstep-verify: other expected measurement -> FAIL measurement mismatch" \
	fails "measurement mismatch" "$out/rep" "$pub" "$other" "$nonce"
check "lockstep-verify: other log digest -> FAIL log digest mismatch" \
	fails "log digest mismatch" "$out/rep" "$pub" "$m" "$nonce" "$other"
python3 -c "
b = bytearray(open('$out/rep','rb').read()); b[20] ^= 1; open('$out/rep-t','wb').write(b)"
check "lockstep-verify: one bit of the measurement flipped -> FAIL signature" \
	fails "signature does not verify" "$out/rep-t" "$pub" "$m" "$nonce"
python3 -c "
b = bytearray(open('$out/rep','rb').read()); b[200] ^= 0x40; open('$out/rep-s','wb').write(b)"
check "lockstep-verify: one bit of the signature flipped -> FAIL signature" \
	fails "signature does not verify" "$out/rep-s" "$pub" "$m" "$nonce"
check "lockstep-verify: another key's report -> FAIL key id" \
	fails "another attestation key" "$out/rep2" "$pub" "$m" "$nonce"
head -c 100 "$out/rep" > "$out/rep-short"
check "lockstep-verify: truncated report -> FAIL too short" \
	fails "too short" "$out/rep-short" "$pub" "$m" "$nonce"
