#!/bin/sh
# RAUC custom bootloader backend for boxes whose bootloader is neither GRUB nor U-Boot.
# RAUC calls: get-primary | set-primary <bootname> | get-state <bootname> | set-state <bootname> good|bad.
# This reference keeps U-Boot-like variables (order, attempts left) in a small env file on the boot
# partition; a box's own boot script reads the same file and decrements the attempts on each boot.
set -eu
ENV="${STEPAUDIO_BOOT_ENV:-/boot/stepaudio-boot.env}"
ATTEMPTS=3
[ -f "$ENV" ] || printf 'PRIMARY=A\nSTATE_A=good\nLEFT_A=%s\nSTATE_B=bad\nLEFT_B=0\n' "$ATTEMPTS" > "$ENV"
. "$ENV"
save() {
  tmp="$ENV.tmp"
  printf 'PRIMARY=%s\nSTATE_A=%s\nLEFT_A=%s\nSTATE_B=%s\nLEFT_B=%s\n' "$PRIMARY" "$STATE_A" "$LEFT_A" "$STATE_B" "$LEFT_B" > "$tmp"
  sync "$tmp" 2>/dev/null || sync
  mv "$tmp" "$ENV"
  sync "$(dirname "$ENV")" 2>/dev/null || sync
}
case "${1:-}" in
  get-primary) echo "$PRIMARY" ;;
  set-primary) PRIMARY="$2"; eval "STATE_$2=good; LEFT_$2=$ATTEMPTS"; save ;;
  get-state) eval "s=\$STATE_$2; l=\$LEFT_$2"; if [ "$s" = good ] && [ "$l" -gt 0 ]; then echo good; else echo bad; fi ;;
  set-state) if [ "$3" = good ]; then eval "STATE_$2=good; LEFT_$2=$ATTEMPTS"; else eval "STATE_$2=bad; LEFT_$2=0"; fi; save ;;
  *) echo "unsupported request: $*" >&2; exit 1 ;;
esac
