#!/bin/bash
# Builds the .deb with Deploy/package.sh and checks it: the same files install.sh installs, no
# data or configuration inside, valid maintainer scripts; its preinst refuses an older version
# over a newer database and backs up before an upgrade; its postrm purge keeps the records.
# The scripts run against a --prefix install through DPKG_ROOT, as dpkg itself would set it.
#   Tests/Deploy/test_package.sh   (needs the `make build` tree, or CAREHOME_TREE=DIR)
. "$(dirname "$0")/lib.sh"
VERSION=$("$TREE/bin/carehome" --version)
ARCH=$(dpkg --print-architecture)

deb=$("$REPO/Deploy/package.sh" --fast --tree "$TREE" --out "$SCRATCH/deb" 2>&1)
check "package.sh builds carehome_${VERSION}_${ARCH}.deb" test "$deb" = "$SCRATCH/deb/carehome_${VERSION}_${ARCH}.deb"
info=$(dpkg-deb --info "$deb" 2>&1)
check "the package is named carehome, version $VERSION" bash -c "grep -q '^ Package: carehome' <<<\"\$1\" && grep -q '^ Version: $VERSION' <<<\"\$1\"" _ "$info"
check "the package depends on the runtime libraries and avahi" bash -c "grep -q 'Depends:.*libmicrohttpd12.*libsqlite3-0.*libgnutls30.*avahi-daemon' <<<\"\$1\"" _ "$info"
for script in preinst postinst prerm postrm; do
    dpkg-deb --ctrl-tarfile "$deb" | tar -xO "./$script" > "$SCRATCH/$script"
    check "$script is valid sh" sh -n "$SCRATCH/$script"
done

dpkg-deb -x "$deb" "$SCRATCH/unpacked"
check "the package holds no records and no configuration (they are made on the box)" \
    bash -c "[ ! -e '$SCRATCH/unpacked/var' ] && [ ! -e '$SCRATCH/unpacked/etc/carehome' ]"
check "the package's units are in /lib/systemd/system with /opt/carehome paths" \
    grep -q '^ExecStart=/opt/carehome/bin/carehome serve --config /etc/carehome/carehome.conf' "$SCRATCH/unpacked/lib/systemd/system/carehome.service"
P=$(install_prefix same-tree) || fail "install.sh into a prefix"
if diff <(cd "$SCRATCH/unpacked/opt/carehome" && find . -type f | sort) <(cd "$P/opt/carehome" && find . -type f | sort) >/dev/null &&
   diff <(cd "$SCRATCH/unpacked/opt/carehome/bin" && sha256sum carehome) <(cd "$P/opt/carehome/bin" && sha256sum carehome) >/dev/null; then
    pass "the package's /opt/carehome is the same tree install.sh installs"
else
    fail "the package's /opt/carehome is the same tree install.sh installs" "$(diff <(cd "$SCRATCH/unpacked/opt/carehome" && find . -type f | sort) <(cd "$P/opt/carehome" && find . -type f | sort))"
fi

# preinst against a home that has a database (run with DPKG_ROOT as dpkg does).
printf 'a long admin password\n' | "$P/opt/carehome/bin/carehome" user add --config "$P/etc/carehome/carehome.conf" --username ada.admin --role admin >/dev/null 2>&1
old=$("$REPO/Deploy/package.sh" --fast --tree "$TREE" --out "$SCRATCH/old" --version 0.0.1)
dpkg-deb --ctrl-tarfile "$old" | tar -xO ./preinst > "$SCRATCH/old-preinst"
refuses "the preinst of an older version refuses to install over the newer database" "refusing to install version 0.0.1" \
    env DPKG_ROOT="$P" sh "$SCRATCH/old-preinst" install
new=$("$REPO/Deploy/package.sh" --fast --tree "$TREE" --out "$SCRATCH/new" --version 99.0.0)
dpkg-deb --ctrl-tarfile "$new" | tar -xO ./preinst > "$SCRATCH/new-preinst"
check "the preinst of a newer version accepts the upgrade" env DPKG_ROOT="$P" sh "$SCRATCH/new-preinst" upgrade "$VERSION"
backup=$(ls "$P"/var/backups/carehome/pre-upgrade-"$VERSION"-to-99.0.0-*.sqlite.enc 2>/dev/null | head -n 1)
check "the upgrade's preinst took a backup with the installed version first" test -n "$backup"
check "that backup verifies" "$P/opt/carehome/bin/carehome" backup verify "$backup" --key-file "$P/etc/carehome/backup.key"

# postrm purge: configuration goes, records, backups and the backup key stay.
check "postrm purge runs" env DPKG_ROOT="$P" sh "$SCRATCH/postrm" purge
check "after purge the records, the backups and the backup key are still there" \
    bash -c "[ -f '$P/var/lib/carehome/home.sqlite' ] && [ -n \"\$(ls '$P/var/backups/carehome')\" ] && [ -f '$P/etc/carehome/backup.key' ]"
check "after purge the configuration and TLS key are gone" bash -c "[ ! -e '$P/etc/carehome/carehome.conf' ] && [ ! -e '$P/etc/carehome/tls' ]"
finish
