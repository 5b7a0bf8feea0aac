#!/usr/bin/env bash
# Builds the libFuzzer target: the library modules with -sanitize=fuzzer
# (edge coverage + comparison tracing) in their own scratch path, then the
# entry point linked against their objects.
#   bash Fuzz/LibFuzzer/build.sh
#   PAGEALLOC_FUZZ_VARIANT=preFix40191 .build/libfuzzer/pagealloc-fuzz -max_total_time=60 Fuzz/LibFuzzer/corpus
#   swift run verify fuzz --decode crash-<sha1> --variant preFix40191 > finding.trace
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=.build/libfuzzer
swift build --scratch-path "$scratch" --target Campaigns -Xswiftc -sanitize=fuzzer
bin=$(swift build --scratch-path "$scratch" --show-bin-path)
objs=$(ls "$bin"/{Campaigns,Checking,GoTarget,PortAdapter,Targets,TraceFormat,SplitMix,PageAlloc,Vocabulary,Reference,OSMemory,SummaryCore}.build/*.o)
swiftc -sanitize=fuzzer -parse-as-library -I "$bin/Modules" Fuzz/LibFuzzer/FuzzTarget.swift $objs -o "$scratch/pagealloc-fuzz"
echo "built $scratch/pagealloc-fuzz"
