#!/usr/bin/env bash
# make fuzz: runs every fuzz test in Jazzer's fuzzing mode, one at a time, each for the
# maxDuration its @FuzzTest gives (60 s). `make test` runs the same tests on their committed seed
# corpora only (src/test/resources/<package>/<Class>Inputs/<method>/).
#
# A finding fails its test: Jazzer writes the input to that test's seed folder as crash-<hash>,
# where it stays a regression test once renamed after what it found and committed. The corpus a
# run grows is kept in <module>/.cifuzz-corpus/ (not committed) and resumed by the next run.
#
#   FUZZ=ProtobufWireCheck make fuzz    runs only the tests whose name contains the text
set -uo pipefail
cd "$(dirname "$0")/.."

MVNW=(./mvnw -B --no-transfer-progress)
# module, test, and the classes instrumented for coverage besides the module's own (Jazzer's
# default): the libraries that do the parsing, so the fuzzer is guided through them too.
TARGETS=(
  "gateway dev.torii.gateway.grpc.ProtobufWireCheckFuzzTest#agreesWithProtobufJava com.google.protobuf.**"
  "gateway dev.torii.gateway.grpc.ProtobufWireCheckFuzzTest#utf8AgreesWithProtobuf com.google.protobuf.**"
  "gateway dev.torii.gateway.grpc.JsonTranscoderFuzzTest#refusesOnlyWithMalformedMessage com.google.protobuf.**,com.google.gson.**"
  "gateway dev.torii.gateway.grpc.GrpcTimeoutFuzzTest#isATimeoutOrABadRequest"
  "gateway dev.torii.gateway.grpc.GrpcWebTextFuzzTest#decodesSegmentsOrRefuses"
  "gateway dev.torii.gateway.grpc.GrpcWebTextFuzzTest#whatTheGatewayEncodesDecodesBack"
  "gateway dev.torii.gateway.grpc.MessageFramesFuzzTest#splitsWithinTheLimitOrRefuses"
  "gateway dev.torii.gateway.grpc.MessageFramesFuzzTest#whatTheGatewayFramesSplitsBack"
  "gateway dev.torii.gateway.grpc.GzipFuzzTest#inflatesWithinTheLimitLikeTheJdkOrRefuses"
  "gateway dev.torii.gateway.grpc.GzipFuzzTest#inflatesWhatItCompressedUpToTheLimit"
  "gateway dev.torii.gateway.protocol.RawQueryFuzzTest#readsWhatTheJdkFormDecoderReads"
  "gateway dev.torii.gateway.protocol.RawQueryFuzzTest#readsBackWhatAFormEncoderWrote"
  "gateway dev.torii.gateway.protocol.MessageCodecFuzzTest#readsOneFrameWhereverTheBuffersAreCut"
  "gateway dev.torii.gateway.protocol.MessageCodecFuzzTest#inflatesACompressedFrameUpToTheLimit"
  "gateway dev.torii.gateway.protocol.ConnectProtocolFuzzTest#getFormYieldsAMessageWithinTheLimitOrRefuses"
  "gateway dev.torii.gateway.protocol.ConnectProtocolFuzzTest#getFormReadsBackAMessageInEveryEncoding"
  "gateway dev.torii.gateway.protocol.ConnectProtocolFuzzTest#timeoutIsMillisecondsOrInvalidArgument"
  "gateway dev.torii.gateway.protocol.ConnectProtocolFuzzTest#acceptEncodingIsAYesOrANo"
  "gateway dev.torii.gateway.exchange.RequestIdsFuzzTest#keepsOnlySafeIds"
  "gateway dev.torii.gateway.traffic.ClientAddressResolverFuzzTest#theClientIsThePeerOrALiteralEntry"
  "gateway dev.torii.gateway.traffic.ClientAddressResolverFuzzTest#aTrustedProxySettingIsABlockOrAClearError"
  "gateway dev.torii.gateway.auth.BearerCredentialExtractorFuzzTest#extractsAPlainCredentialOrAnswers401"
  "gateway dev.torii.gateway.routefile.RouteFileLoaderFuzzTest#loadsOrReportsProblems org.yaml.snakeyaml.**"
  "gateway dev.torii.gateway.protocol.StreamedFramesFuzzTest#chunksReadAsTheWholeBody"
  "gateway dev.torii.gateway.httprule.QueryBinderFuzzTest#bindsOrRefusesWithABindingException com.google.protobuf.**"
  "gateway dev.torii.gateway.httprule.QueryBinderFuzzTest#readsBackTextAFormEncoderWrote"
  "gateway dev.torii.gateway.httprule.PathMatcherFuzzTest#parsesToACanonicalFormOrNamesTheOffset"
  "gateway dev.torii.gateway.httprule.PathMatcherFuzzTest#matchesWhatATemplateExpandsTo"
  "gateway dev.torii.gateway.httprule.PathMatcherFuzzTest#picksWhatALinearScanPicks"
  "authority dev.torii.authority.verify.CredentialClassifierFuzzTest#neverThrows com.nimbusds.**"
  "authority dev.torii.authority.verify.CredentialClassifierFuzzTest#aListedIssuerIsAGoogleCredential com.nimbusds.**"
  "authority dev.torii.authority.exchange.TokenRequestFormFuzzTest#parsesOrRefusesAsAnInvalidRequest"
  "authority dev.torii.authority.exchange.TokenRequestFormFuzzTest#readsBackWhatAnEncoderWrote"
)

# Build once (tests compiled, not run); each fuzz test then runs from the compiled classes.
"${MVNW[@]}" -q -DskipTests install || exit 1

failed=()
for target in "${TARGETS[@]}"; do
  read -r module test libraries <<< "$target"
  if [[ -n "${FUZZ:-}" && "$test" != *"$FUZZ"* ]]; then
    continue
  fi
  echo "fuzzing $test ($module) ..."
  started=$(date +%s)
  log="$module/target/fuzz-${test##*.}.log"
  own="dev.torii.${module}.**"
  if JAZZER_FUZZ=1 JAZZER_INSTRUMENT="$own${libraries:+,$libraries}" "${MVNW[@]}" -pl "$module" surefire:test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      > "$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$test")
  fi
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -n 1)
  echo "  $result after $(( $(date +%s) - started ))s: ${runs:-no fuzzing summary} (log: $log)"
done

if (( ${#failed[@]} > 0 )); then
  echo "findings or failures in: ${failed[*]}; inputs are in the tests' seed folders (crash-*)" >&2
  exit 1
fi
