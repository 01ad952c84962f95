#!/usr/bin/env bash
# mmdebstrap --customize-hook of the awx-runtime image (scripts/image/build.py runs it with the
# root directory as $1 and its settings in IMAGE_* variables). It installs the wheels into a
# venv with a pip that is never itself installed, adds the runtime user, and removes what a
# read-only, non-root image must not carry or would make two builds differ.
set -euo pipefail
root=$1
: "${IMAGE_WHEELS:?}" "${IMAGE_PIP_WHEEL:?}" "${IMAGE_VENV:?}" "${IMAGE_UID:?}" "${IMAGE_REQUIREMENT:?}"
: "${IMAGE_PIP_CERT:?}"
: "${SOURCE_DATE_EPOCH:?}"

# The image's own Python resolves the `runtime` extra (markers such as python_full_version
# must be the image's, not the build host's) from our wheel plus binary wheels from the index
# (PIP_INDEX_URL if set; no source builds: the image has no compilers). pip runs from its own
# wheel file, a supported way to run it, so neither pip nor setuptools lands in the image.
mkdir -p "$root/tmp/wheels"
cp "$IMAGE_WHEELS"/*.whl "$root/tmp/wheels/"
cp "$IMAGE_PIP_WHEEL" "$root/tmp/pip.whl"
# The build host's CA bundle, so that an index behind a proxy with its own CA answers; it is
# only in /tmp during the install, never in the image.
cp "$IMAGE_PIP_CERT" "$root/tmp/pip-ca.crt"
index=()
[ -n "${PIP_INDEX_URL:-}" ] && index=("PIP_INDEX_URL=$PIP_INDEX_URL")
chroot "$root" /usr/bin/python3 -m venv --without-pip "$IMAGE_VENV"
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp PIP_CERT=/tmp/pip-ca.crt \
  PIP_DEFAULT_TIMEOUT="${PIP_DEFAULT_TIMEOUT:-60}" "${index[@]}" \
  "$IMAGE_VENV/bin/python" /tmp/pip.whl/pip install --quiet --find-links /tmp/wheels \
  --only-binary :all: --no-compile --no-cache-dir --disable-pip-version-check \
  --no-warn-script-location "$IMAGE_REQUIREMENT"
rm -rf "$root/tmp/wheels" "$root/tmp/pip.whl" "$root/tmp/pip-ca.crt"

# The runtime user (components/pods.py RUNTIME_USER_ID); HOME is /tmp, the one
# volume every awx-runtime pod mounts.
echo "awx-runtime:x:$IMAGE_UID:$IMAGE_UID:awx-runtime:/tmp:/usr/sbin/nologin" >>"$root/etc/passwd"
echo "awx-runtime:x:$IMAGE_UID:" >>"$root/etc/group"

# No set-user-ID or set-group-ID programs: nothing in the image can become root again.
find "$root" -xdev -type f -perm /6000 -exec chmod ug-s {} +

# apt is not installed (the host's apt built the tree): its lists, caches and locks go
# (mmdebstrap's own apt cleanup is skipped, it would leave the locks). dpkg's database stays:
# SBOM tools and scanners read it.
rm -rf "$root/var/lib/apt" "$root/var/cache/apt" "$root/var/cache/debconf/"*-old \
  "$root/var/lib/dpkg/"*-old
# The build host's copies become empty files: the container runtime mounts its own over them
# (were they missing, creating the mount points would change /etc in every container).
: >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
# Debian's usual /etc/mtab; without it podman creates one in every container it starts.
ln -sfn ../proc/self/mounts "$root/etc/mtab"
# Documentation dpkg's path-exclude filters missed in the essential set (extracted before the
# filters applied); the copyright files stay.
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" \
  "$root/usr/share/lintian" "$root/usr/share/linda"

# Bytecode: the root filesystem is read-only, so whatever Python cannot find precompiled it
# compiles on every start. Compile everything once, hash-checked (valid whatever the files'
# mtimes) and with a fixed hash seed in one process, so the bytes are the same every build.
find "$root" -xdev -type d -name __pycache__ -prune -exec rm -rf {} +
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin PYTHONHASHSEED=0 \
  SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" /usr/bin/python3 -m compileall -q -j 1 \
  --invalidation-mode checked-hash /usr/lib/python3 /usr/lib/python3.11 "$IMAGE_VENV/lib"
