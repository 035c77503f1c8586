#!/usr/bin/env bash
# Builds the box's bootable GPT disk from a finished root filesystem tree, without loop devices or root mounts:
#   image/mkdisk.sh <os-tree> <out-dir> <partitions.sfdisk> <grub.cfg>
#   image/mkdisk.sh --data <disk.img> <data-tree>     (re-formats the data partition with <data-tree> in it)
#   image/mkdisk.sh --grubenv <disk.img> KEY=VALUE... (sets variables in the ESP's grubenv)
# Writes <out-dir>/rootfs.ext4 (one slot, also the RAUC bundle's payload), <out-dir>/esp.vfat and <out-dir>/disk.img:
# the EFI system partition (GRUB for x86_64 EFI with the A/B script, grubenv with slot A good), slot A, an empty
# slot B and the data partition, laid out by the sfdisk script.
set -euo pipefail

die() { echo "mkdisk: $*" >&2; exit 1; }
sectors_in() { sfdisk --json "$1" | jq -r --arg n "$2" '.partitiontable.partitions[] | select(.name == $n) | "\(.start) \(.size)"'; }
format_data() {
  local disk="$1" content="${2:-}" start size
  read -r start size < <(sectors_in "$disk" data)
  [[ -n "$start" ]] || die "$disk has no partition named data."
  mkfs.ext4 -q -F -L data ${content:+-d "$content"} -E offset=$(( start * 512 )) "$disk" "$(( size / 2 ))k" \
    || die "mkfs.ext4 could not format the data partition of $disk."
}

if [[ "${1:-}" == --grubenv ]]; then
  disk="${2:-}"
  [[ -f "$disk" ]] || die "usage: mkdisk.sh --grubenv <disk.img> KEY=VALUE..."
  read -r start _ < <(sectors_in "$disk" boot)
  env="$(mktemp)"
  mcopy -o -i "$disk@@$(( start * 512 ))" ::/EFI/BOOT/grubenv "$env"
  grub-editenv "$env" set "${@:3}"
  mcopy -o -i "$disk@@$(( start * 512 ))" "$env" ::/EFI/BOOT/grubenv
  rm -f "$env"
  exit 0
fi

if [[ "${1:-}" == --data ]]; then
  [[ -f "${2:-}" && -d "${3:-}" ]] || die "usage: mkdisk.sh --data <disk.img> <data-tree>"
  format_data "$2" "$3"
  exit 0
fi

tree="$1" out="$2" layout="$3" grubcfg="$4"
[[ -d "$tree" && -f "$layout" && -f "$grubcfg" ]] || die "usage: mkdisk.sh <os-tree> <out-dir> <partitions.sfdisk> <grub.cfg>"
for tool in sfdisk mkfs.ext4 mkfs.vfat mcopy mmd grub-mkstandalone grub-editenv jq; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y fdisk e2fsprogs dosfstools mtools grub-efi-amd64-bin grub-common jq)."
done
mkdir -p "$out"
disk="$out/disk.img"

# The layout first: the slot and ESP sizes come from the sfdisk script, the data partition takes the rest of a
# sparse disk sized for them plus DATA_MIB.
sectors_of() { sectors_in "$disk" "$1"; }
rm -f "$disk"
truncate -s "$(( ${DISK_MIB:-8192} ))M" "$disk"
grep -v '^#' "$layout" | sfdisk --quiet "$disk" >/dev/null || die "sfdisk could not lay out $disk from $layout."

read -r esp_start esp_size < <(sectors_of boot)
read -r a_start a_size < <(sectors_of rootfs-a)

# Slot A: the tree as ext4, no larger than the slot.
used=$(du -sm "$tree" | cut -f1)
slot_mib=$(( a_size * 512 / 1048576 ))
(( used + used / 5 + 64 <= slot_mib )) || die "the root filesystem needs $(( used + used / 5 + 64 )) MiB; the slot holds $slot_mib MiB."
rm -f "$out/rootfs.ext4"
mkfs.ext4 -q -F -L rootfs -E root_owner=0:0 -d "$tree" "$out/rootfs.ext4" "$(( used + used / 5 + 64 ))M" || die "mkfs.ext4 could not build the slot image."

# The EFI system partition: GRUB with the A/B script built in, and the grubenv RAUC drives.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grub-mkstandalone -O x86_64-efi -o "$work/BOOTX64.EFI" \
  --modules="part_gpt ext2 fat normal linux echo test loadenv regexp search sleep reboot" \
  "boot/grub/grub.cfg=$grubcfg" || die "grub-mkstandalone failed."
grub-editenv "$work/grubenv" create
grub-editenv "$work/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
rm -f "$out/esp.vfat"
mkfs.vfat -C -n ESP "$out/esp.vfat" $(( esp_size / 2 )) >/dev/null || die "mkfs.vfat failed."
mmd -i "$out/esp.vfat" ::/EFI ::/EFI/BOOT
mcopy -i "$out/esp.vfat" "$work/BOOTX64.EFI" "$work/grubenv" ::/EFI/BOOT/

# Into place; the data partition is formatted where it lies.
dd if="$out/esp.vfat" of="$disk" bs=512 seek="$esp_start" conv=notrunc,sparse status=none
dd if="$out/rootfs.ext4" of="$disk" bs=512 seek="$a_start" conv=notrunc,sparse status=none
format_data "$disk"
echo "disk: $disk ($(du -h --apparent-size "$disk" | cut -f1) sparse, $(du -h "$disk" | cut -f1) used): ESP, slot A ($used MiB of content), slot B empty, data"
