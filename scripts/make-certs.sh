#!/usr/bin/env bash
# A private CA and the certificates for TLS (MQTTS on 8883, WSS and HTTPS on the HTTP
# port), made with openssl:
#
#   scripts/make-certs.sh [DIR] [HOST|IP ...] [--client NAME ...] [--days N]
#
# DIR (default ./data/certs) receives
#   ca.crt ca.key              the private CA (ca.key stays on the server that makes certificates)
#   server.crt server.key      for BBB_TLS_CERT / BBB_TLS_KEY; SANs: localhost, 127.0.0.1, ::1,
#                              this machine's hostname, and every HOST / IP given
#   client-NAME.crt/.key       optional client certificates (CN=NAME), e.g. for operators' tools
# Idempotent: what exists and is still right is kept. The CA is never replaced; the server
# certificate is re-issued only when a requested name is missing from it, it expires within
# 30 days, or it was not issued by this CA. Keys are EC P-256 and mode 0600.
set -euo pipefail

dir=""
hosts=()
clients=()
days=${BBB_CERT_DAYS:-825}
while [ $# -gt 0 ]; do
  case "$1" in
    --client) clients+=("${2:?--client needs a name}"); shift 2 ;;
    --days) days=${2:?--days needs a number}; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "make-certs: unknown option $1" >&2; exit 2 ;;
    *) if [ -z "$dir" ]; then dir=$1; else hosts+=("$1"); fi; shift ;;
  esac
done
dir=${dir:-./data/certs}
command -v openssl >/dev/null || { echo "make-certs: openssl is not installed (Debian package openssl)" >&2; exit 1; }

valid_name='^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$'
for c in ${clients[@]+"${clients[@]}"}; do
  [[ $c =~ $valid_name ]] || { echo "make-certs: bad client name '$c'" >&2; exit 2; }
done

umask 077
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# SAN list: the defaults, this machine's name, then the given names; IPs as IP:, names as DNS:.
names=(localhost 127.0.0.1 ::1)
self=$(hostname 2>/dev/null || true)
[ -n "$self" ] && names+=("$self")
names+=(${hosts[@]+"${hosts[@]}"})
san=""
declare -A seen=()
for n in "${names[@]}"; do
  [ -n "${seen[$n]:-}" ] && continue
  seen[$n]=1
  if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then san+="${san:+,}IP:$n"; else san+="${san:+,}DNS:$n"; fi
done

serial() { echo "0x$(openssl rand -hex 16)"; }

# Issues $1.crt/$1.key signed by the CA with the extensions in $2 and subject CN $3.
issue() {
  local base=$1 ext=$2 cn=$3
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$base.key" 2>/dev/null
  openssl req -new -key "$work/$base.key" -subj "/CN=$cn" -out "$work/$base.csr"
  printf '%s\n' "$ext" > "$work/$base.ext"
  openssl x509 -req -in "$work/$base.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "$(serial)" \
    -days "$days" -sha256 -extfile "$work/$base.ext" -out "$work/$base.crt" 2>/dev/null
  chmod 0600 "$work/$base.key"
  chmod 0644 "$work/$base.crt"
  # Key first, then certificate, each by rename: a reader never sees a certificate without its key.
  mv -f "$work/$base.key" "$dir/$base.key"
  mv -f "$work/$base.crt" "$dir/$base.crt"
  echo "make-certs: issued $dir/$base.crt"
}

# Keeps a certificate that this CA issued and that is valid for 30 more days.
still_good() {
  local crt=$1
  [ -f "$crt" ] && [ -f "${crt%.crt}.key" ] || return 1
  openssl verify -CAfile "$dir/ca.crt" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend $((30 * 86400)) >/dev/null
}

if [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ]; then
  echo "make-certs: keeping the CA in $dir"
else
  [ -e "$dir/ca.crt" ] || [ -e "$dir/ca.key" ] && { echo "make-certs: $dir has only half a CA; move it away" >&2; exit 1; }
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$work/ca.key" -sha256 -days 3650 -set_serial "$(serial)" \
    -subj "/CN=BBB fleet private CA $(date -u +%Y-%m-%d)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$work/ca.crt"
  chmod 0600 "$work/ca.key"
  chmod 0644 "$work/ca.crt"
  mv -f "$work/ca.key" "$dir/ca.key"
  mv -f "$work/ca.crt" "$dir/ca.crt"
  echo "make-certs: created the CA $dir/ca.crt"
fi

server_ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san"
have_all_names() {
  local text n
  # One "DNS:a, IP Address:b, ..." line after the header; openssl prints ::1 in full.
  text=",$(openssl x509 -in "$dir/server.crt" -noout -ext subjectAltName 2>/dev/null | sed 1d | tr -d ' \n'),"
  IFS=, read -r -a want <<< "$san"
  for n in "${want[@]}"; do
    n=${n/IP:/IPAddress:}
    [ "$n" = "IPAddress:::1" ] && n="IPAddress:0:0:0:0:0:0:0:1"
    [[ $text == *",$n,"* ]] || return 1
  done
}
if still_good "$dir/server.crt" && have_all_names; then
  echo "make-certs: keeping $dir/server.crt"
else
  issue server "$server_ext" "${hosts[0]:-${self:-localhost}}"
fi

for c in ${clients[@]+"${clients[@]}"}; do
  if still_good "$dir/client-$c.crt"; then
    echo "make-certs: keeping $dir/client-$c.crt"
  else
    issue "client-$c" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth" "$c"
  fi
done

echo "make-certs: BBB_TLS_CERT=$dir/server.crt BBB_TLS_KEY=$dir/server.key BBB_TLS_CA=$dir/ca.crt"
