#!/bin/sh
# Boot an extracted Debian kernel in QEMU TCG (nested SVM, -cpu max) with a busybox
# initramfs holding kvm/kvm-amd/hwpoison-inject and kval-agent, run the agent, print
# its KTAP on the serial console and power off. For manual checks; the Java QEMU
# provider is the real thing.
#   usage: qemu-smoke.sh <extracted-kernel-root> [agent args...]
#   e.g.   qemu-smoke.sh /tmp/k/x73 --suite poison
# <root> is a dir where a Debian linux-image / linux-binary+linux-modules .deb was
# unpacked with dpkg-deb -x (vmlinuz under boot/ or usr/lib/modules/<ver>/).
# Env: AGENT (binary, default build/kval-agent next to this script), QEMU_MEM (2048),
#      QEMU_SMP (1), WORK (scratch dir, default mktemp), QEMU_TIMEOUT (s, 900),
#      KVM_AMD_PARAMS / KVM_PARAMS (e.g. "npt=0" for shadow paging).
set -eu
ROOT=$1; shift
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT=${AGENT:-$HERE/build/kval-agent}
WORK=${WORK:-$(mktemp -d /tmp/kval-smoke.XXXXXX)}
MODDIR=$(ls -d "$ROOT"/lib/modules/* "$ROOT"/usr/lib/modules/* 2>/dev/null | head -1)
VER=$(basename "$MODDIR")
KERNEL=$(ls "$ROOT"/boot/vmlinuz-* "$MODDIR"/vmlinuz 2>/dev/null | head -1)
[ -f "$KERNEL" ] || { echo "no vmlinuz under $ROOT" >&2; exit 2; }
I=$WORK/initrd
rm -rf "$I"; mkdir -p "$I/bin" "$I/mods" "$I/proc" "$I/sys" "$I/dev" "$I/tmp"
cp /bin/busybox "$I/bin/busybox"
cp "$AGENT" "$I/bin/kval-agent"
# resolve module dependencies from each module's modinfo "depends=" (the Debian
# linux-modules-* packages ship no modules.dep), deepest first
order=""
n=0
add() { # $1 = module name
	case " $order " in *" $1 "*) return ;; esac
	f=$(find "$MODDIR" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -1)
	[ -n "$f" ] || { echo "module $1 not found" >&2; return; }
	t=$WORK/$1.ko
	case "$f" in
	*.xz) xz -dc "$f" > "$t" ;;
	*.zst) zstd -qdc "$f" > "$t" ;;
	*) cp "$f" "$t" ;;
	esac
	deps=$(strings "$t" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
	for d in $deps; do add "$d"; done
	n=$((n + 1))
	mv "$t" "$I/mods/$(printf '%02d' $n)-$1.ko"
	order="$order $1"
}
for m in irqbypass ccp kvm kvm-amd hwpoison-inject; do add "$m"; done
cat > "$I/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
for m in /mods/*.ko; do
	case \$m in *-kvm-amd.ko) p="${KVM_AMD_PARAMS:-}" ;; *-kvm.ko) p="${KVM_PARAMS:-}" ;; *) p= ;; esac
	insmod \$m \$p 2>/dev/null || echo "insmod \$m failed"
done
echo KVAL-BEGIN
/bin/kval-agent $*
echo KVAL-END rc=\$?
poweroff -f
EOF
chmod +x "$I/init"
(cd "$I" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$WORK/initrd.cpio.gz")
echo "# kernel $VER modules:$order" >&2
timeout "${QEMU_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg,thread=single -cpu max -m "${QEMU_MEM:-2048}" \
	-smp "${QEMU_SMP:-1}" -nographic -no-reboot -nodefaults -serial stdio -kernel "$KERNEL" \
	-initrd "$WORK/initrd.cpio.gz" -append "console=ttyS0 panic=-1 loglevel=3"
