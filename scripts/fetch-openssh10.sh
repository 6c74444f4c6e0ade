#!/usr/bin/env bash
# OpenSSH 10.0 for the interop tests, beside the system's OpenSSH (Debian 12: 9.2), replacing
# nothing: the openssh-server and openssh-client packages of Debian's bookworm-backports suite are
# downloaded with a private apt configuration (its own source list, lists folder and cache, so the
# system's apt state stays untouched) and unpacked with `dpkg-deb -x` into .tmp/openssh10/ of this
# repository (ignored by git). The tests start .tmp/openssh10/usr/sbin/sshd with SshdSessionPath
# and SshdAuthPath pointing at the unpacked .tmp/openssh10/usr/lib/openssh/ binaries, and use
# .tmp/openssh10/usr/bin/ssh as a client (test/helpers/openssh10.ts).
#
# Idempotent: when the binaries are already unpacked and run, it only prints the version.
# Usage: bash scripts/fetch-openssh10.sh   (env: OPENSSH10_DIR to unpack elsewhere)
set -euo pipefail

cd "$(dirname "$0")/.."

SUITE=bookworm-backports
DEST=${OPENSSH10_DIR:-$PWD/.tmp/openssh10}
# The binaries the tests need; every one must link with the system's libraries.
BINARIES=(usr/sbin/sshd usr/lib/openssh/sshd-session usr/lib/openssh/sshd-auth usr/bin/ssh usr/bin/ssh-keygen)

installed_version() {
  # `ssh -V` prints e.g. "OpenSSH_10.0p2 Debian-5~bpo12+1, OpenSSL 3.0.x ..." on stderr.
  "$DEST/usr/bin/ssh" -V 2>&1
}

complete() {
  local bin
  for bin in "${BINARIES[@]}"; do
    [ -x "$DEST/$bin" ] || return 1
    # A missing shared library shows as "not found"; such a binary would not start.
    if ldd "$DEST/$bin" 2>/dev/null | grep -q 'not found'; then return 1; fi
  done
  installed_version | grep -q '^OpenSSH_10\.'
}

if complete; then
  echo "openssh10: $(installed_version) (already in $DEST)"
  exit 0
fi

for tool in apt-get dpkg-deb ldd; do
  command -v "$tool" >/dev/null || { echo "openssh10: $tool is required" >&2; exit 1; }
done

# The Debian mirror and keyring the system itself uses, from its apt sources (deb822 .sources
# files and one-line .list files): the entry that serves the release's own suite.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ "$codename" != bookworm ]; then
  echo "openssh10: this is for Debian 12 (bookworm); this system says '${codename:-unknown}'" >&2
  exit 1
fi
mirror=""
keyring=""
for file in /etc/apt/sources.list.d/*.sources; do
  [ -f "$file" ] || continue
  read -r mirror keyring < <(awk -v want="$codename" '
    function flush() {
      if (uri != "" && found && !done) { print uri, key; done = 1 }
      uri = ""; key = ""; found = 0
    }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]*#/ { next }
    tolower($1) == "uris:" { uri = $2 }
    tolower($1) == "signed-by:" { key = $2 }
    tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) found = 1 }
    END { flush() }' "$file") || true
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ]; then
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    # deb [options] URI SUITE COMPONENTS...
    mirror=$(awk -v want="$codename" '$1 == "deb" {
        n = 2; if ($2 ~ /^\[/) { while (n <= NF && $n !~ /\]$/) n++; n++ }
        if ($(n + 1) == want) { print $n; exit } }' "$file")
    [ -n "$mirror" ] && break
  done
fi
if [ -z "$mirror" ]; then
  echo "openssh10: found no apt source for '$codename' in /etc/apt/sources.list*" >&2
  exit 1
fi
keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}

# Private apt state under .tmp/: nothing of the system's /etc/apt, /var/lib/apt or /var/cache/apt
# is written.
APT_DIR=$PWD/.tmp/apt-openssh10
rm -rf "$APT_DIR"
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
echo "deb [signed-by=$keyring] $mirror $SUITE main" >"$APT_DIR/sources.list"
APT=(apt-get -q
  -o "Dir::Etc::sourcelist=$APT_DIR/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::Cache=$APT_DIR/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Sandbox::User=root"
)
# As root, apt drops to the _apt user for downloads; that user cannot write into a private
# folder under a root-owned 0700 tree, so downloads run as root (APT::Sandbox::User above).

echo "openssh10: apt-get update ($SUITE from $mirror, private lists in $APT_DIR)"
"${APT[@]}" update >"$APT_DIR/update.log" 2>&1 || { cat "$APT_DIR/update.log" >&2; exit 1; }

packages=(openssh-server/$SUITE openssh-client/$SUITE)
echo "openssh10: apt-get download ${packages[*]}"
(cd "$APT_DIR/debs" && "${APT[@]}" download "${packages[@]}")

rm -rf "$DEST"
mkdir -p "$DEST"
for deb in "$APT_DIR"/debs/*.deb; do
  echo "openssh10: dpkg-deb -x $(basename "$deb")"
  dpkg-deb -x "$deb" "$DEST"
done

for bin in "${BINARIES[@]}"; do
  if [ ! -x "$DEST/$bin" ]; then
    echo "openssh10: $DEST/$bin is missing after unpacking" >&2
    exit 1
  fi
  if ldd "$DEST/$bin" | grep 'not found'; then
    echo "openssh10: $DEST/$bin needs a library the system lacks (above)" >&2
    exit 1
  fi
done
rm -rf "$APT_DIR"
echo "openssh10: $(installed_version) in $DEST"
