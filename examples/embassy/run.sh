#!/usr/bin/env bash
# Runs one CWMP Session end to end over a real embedded TCP/IP stack with TLS 1.3:
#   the `acs` example (rustls, https) <-> TAP <-> embassy-net (smoltcp) + embedded-tls
#   + cwmp-core's async driver (this package),
# inside a network namespace made here, so the only traffic is between the namespace's own
# two addresses (10.77.0.1 on the TAP, the ACS; 10.77.0.2 in smoltcp, the CPE). A test CA and
# the ACS certificate (ECDSA P-256) are generated here with openssl into a temporary folder
# and deleted afterwards: no key is committed. Needs root (ip netns, ip tuntap), openssl.
# Exits 0 when the Session succeeded on both sides; cleans up in any case.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd ../.. && pwd)"
NS="cwmp-embassy-$$"
TAP=tap0
ACS_IP=10.77.0.1
CPE_IP=10.77.0.2
PORT=7548
NAME=acs.cwmp.test
WORK="$(mktemp -d)"
ACS_PID=""

cleanup() {
  if [ -n "$ACS_PID" ]; then kill "$ACS_PID" 2>/dev/null || true; wait "$ACS_PID" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in ip openssl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found"; exit 3; }
done
if [ "$(id -u)" != 0 ]; then echo "run.sh: needs root (network namespace, TAP device)"; exit 3; fi

echo "==> building the acs example and the embassy device"
(cd "$ROOT" && cargo build --locked -q --example acs)
cargo build --locked -q
ACS="$ROOT/target/debug/examples/acs"
DEVICE="$PWD/target/debug/cwmp-embassy-example"

echo "==> test CA and ACS certificate (ECDSA P-256, valid 2 days) in $WORK"
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/ca.key" 2>/dev/null
openssl req -x509 -new -key "$WORK/ca.key" -sha256 -days 2 -subj "/CN=cwmp-rs test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  -out "$WORK/ca.pem"
openssl x509 -in "$WORK/ca.pem" -outform DER -out "$WORK/ca.der"
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/acs.key" 2>/dev/null
openssl req -new -key "$WORK/acs.key" -subj "/CN=$NAME" -out "$WORK/acs.csr"
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' "$NAME" > "$WORK/ext"
openssl x509 -req -in "$WORK/acs.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 2 -sha256 -extfile "$WORK/ext" -out "$WORK/acs.pem" 2>/dev/null
# A second CA that did not sign the ACS certificate: the device must refuse the ACS with it.
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/other.key" 2>/dev/null
openssl req -x509 -new -key "$WORK/other.key" -sha256 -days 2 -subj "/CN=another CA" \
  -addext "basicConstraints=critical,CA:TRUE" -out "$WORK/other.pem"
openssl x509 -in "$WORK/other.pem" -outform DER -out "$WORK/other.der"
echo "GetParameterValues Device.DeviceInfo.SoftwareVersion" > "$WORK/script.acs"

echo "==> namespace $NS with $TAP ($ACS_IP/24)"
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" addr add "$ACS_IP/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up

echo "==> ACS on https://$ACS_IP:$PORT (rustls)"
ip netns exec "$NS" "$ACS" --listen "$ACS_IP:$PORT" --script "$WORK/script.acs" --sessions 1 \
  --tls-cert "$WORK/acs.pem" --tls-key "$WORK/acs.key" > "$WORK/acs.log" 2>&1 &
ACS_PID=$!
sleep 1

set +e
echo "==> the device with the wrong CA: the handshake must fail, no Session"
timeout 60 ip netns exec "$NS" "$DEVICE" --tap "$TAP" --ip "$CPE_IP/24" \
  --acs "https://$NAME:$PORT/cwmp" --host "$NAME=$ACS_IP" --ca "$WORK/other.der" > "$WORK/wrong.log" 2>&1
WRONG_RC=$?
cat "$WORK/wrong.log"
if [ "$WRONG_RC" = 0 ] || ! grep -q "TLS handshake with $NAME failed" "$WORK/wrong.log"; then
  echo "embassy example: the device accepted an ACS certificate its CA did not sign"
  echo "embassy example: 0 passed, 1 failed"
  exit 1
fi

echo "==> the device: embassy-net on $TAP as $CPE_IP, TLS 1.3 to $NAME"
timeout 120 ip netns exec "$NS" "$DEVICE" --tap "$TAP" --ip "$CPE_IP/24" \
  --acs "https://$NAME:$PORT/cwmp" --host "$NAME=$ACS_IP" --ca "$WORK/ca.der"
DEVICE_RC=$?
timeout 30 tail --pid="$ACS_PID" -f /dev/null
wait "$ACS_PID"
ACS_RC=$?
ACS_PID=""
set -e
echo "--- acs output"
cat "$WORK/acs.log"
if [ "$DEVICE_RC" = 0 ] && [ "$ACS_RC" = 0 ] && grep -q "1 completed, 0 failed" "$WORK/acs.log"; then
  echo "embassy example: 1 passed, 0 failed"
else
  echo "embassy example: device exit $DEVICE_RC, acs exit $ACS_RC"
  echo "embassy example: 0 passed, 1 failed"
  exit 1
fi
