#!/bin/bash
# Builds the Debian 12 (bookworm) machine the VM test boots: a root file system made with
# debootstrap from Debian's mirror, written into a raw ext4 disk image (no partition table), and
# the kernel and initrd of that system, which qemu boots directly.
#
#   Tests/VM/build-image.sh OUT_DIR      (as root; writes OUT_DIR/{disk.img,vmlinuz,initrd.img,id_ed25519})
#
# The machine has what a plain Debian 12 box has after a minimal install, an ssh server for the
# test (root, key only, reached through a loopback-forwarded port) and the runtime packages the
# carehome .deb depends on, so `apt-get install ./carehome_*.deb` resolves offline: the guest never
# reaches the internet (qemu user networking with restrict=on; only the forwarded ports exist).
set -euo pipefail
OUT=${1:?usage: build-image.sh OUT_DIR}
MIRROR=${CAREHOME_VM_MIRROR:-http://deb.debian.org/debian}
HOSTNAME_IN_GUEST=careboxvm    # not "carehome", so the carehome.local alias service is installed and tested
[ "$(id -u)" = 0 ] || { echo "build-image.sh: run as root (debootstrap, chroot)" >&2; exit 1; }
for tool in debootstrap mkfs.ext4 ssh-keygen; do
    command -v "$tool" >/dev/null || { echo "build-image.sh: $tool is missing (make test-vm installs it)" >&2; exit 1; }
done

# The kernel and boot, systemd, ssh for the test; the .deb's Depends (see Deploy/package.sh) and
# libnss-mdns (so `getent hosts carehome.local` works as on a desktop); sqlite3 and libcap2-bin for
# the checks inside the guest.
PACKAGES=linux-image-amd64,initramfs-tools,systemd-sysv,udev,dbus,kmod,procps,iproute2,openssh-server,
PACKAGES+=libmicrohttpd12,libsqlite3-0,libzstd1,libjpeg62-turbo,libpng16-16,libgnutls30,avahi-daemon,avahi-utils,libnss-mdns,openssl,curl,ca-certificates,passwd,util-linux,
PACKAGES+=sqlite3,libcap2-bin,less

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$OUT/rootfs
# debootstrap mounts /proc and /sys inside the root; never delete through a mount left behind.
unmount_all() { grep -o " $ROOT/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n 1 umount -l 2>/dev/null || true; }
trap unmount_all EXIT
unmount_all
rm -rf --one-file-system "$ROOT" "$OUT/disk.img" "$OUT/vmlinuz" "$OUT/initrd.img"
started=$(date +%s)
# The packages downloaded last time (kept beside OUT, in .build/vm): debootstrap checks and reuses
# what it finds in the target's apt cache instead of downloading it again.
CACHE=$(dirname "$OUT")/debootstrap-debs
mkdir -p "$CACHE" "$ROOT/var/cache/apt/archives"
cp "$CACHE"/*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || true
echo "build-image: debootstrap bookworm from $MIRROR ($(ls "$CACHE" | grep -c '\.deb$') packages cached)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOT" "$MIRROR" > "$OUT/debootstrap.log" 2>&1 || {
    tail -n 30 "$OUT/debootstrap.log" >&2; exit 1; }
echo "build-image: debootstrap took $(( $(date +%s) - started )) s"

# ---- Configuration of the guest -----------------------------------------------------------------
echo "$HOSTNAME_IN_GUEST" > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$HOSTNAME_IN_GUEST" > "$ROOT/etc/hosts"
echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' > "$ROOT/etc/fstab"
: > "$ROOT/etc/machine-id"                      # made at first boot, as on an installed system
printf 'deb %s bookworm main\n' "$MIRROR" > "$ROOT/etc/apt/sources.list"
mkdir -p "$ROOT/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\nMulticastDNS=no\nLLMNR=no\n' > "$ROOT/etc/systemd/network/20-wired.network"
chroot "$ROOT" systemctl enable --quiet systemd-networkd systemd-networkd-wait-online ssh
# ssh for the test only: root with the test's key, no passwords at all.
ssh-keygen -q -t ed25519 -N '' -C carehome-vm-test -f "$OUT/id_ed25519" <<<y >/dev/null
install -d -m 700 "$ROOT/root/.ssh"
install -m 600 "$OUT/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n' > "$ROOT/etc/ssh/sshd_config.d/test.conf"
# The journal on disk, so what the appliance logged before a power cut can be read afterwards.
mkdir -p "$ROOT/var/log/journal"
cp -u "$ROOT"/var/cache/apt/archives/*.deb "$CACHE/" && chroot "$ROOT" apt-get clean

cp -L "$ROOT/vmlinuz" "$OUT/vmlinuz"
cp -L "$ROOT/initrd.img" "$OUT/initrd.img"
# ext4 filled from the directory (no loop device or mount needed); 3 GiB, sparse.
unmount_all
mkfs.ext4 -q -F -L carehome-vm -d "$ROOT" "$OUT/disk.img" 3G
rm -rf --one-file-system "$ROOT"
echo "build-image: done in $(( $(date +%s) - started )) s ($(du -sh --apparent-size "$OUT/disk.img" | cut -f1) image, $(du -sh "$OUT/disk.img" | cut -f1) on disk)"
