// One RPC made with connect-es (@connectrpc/connect-node), for the gateway's Java integration
// tests. The call is described by one JSON object on standard input:
//
//   {"descriptorSets": ["path/to/set.binpb"], "baseUrl": "http://localhost:8080",
//    "service": "examples.offer.v1.OfferService", "method": "GetOffer", "request": {...proto3 JSON},
//    "format": "binary" | "json", "httpVersion": "1.1" | "2", "gzip": false, "useHttpGet": false,
//    "headers": {"authorization": "Bearer ..."}, "timeoutMs": 1000,
//    "protocol": "connect" | "grpc-web" | "grpc"}
//
// protocol picks connect-es's transport: Connect (the default), gRPC-Web or gRPC (HTTP/2 only).
//
// The schemas come from the descriptor sets at run time (no generated code); error details of a
// type they hold are decoded, others keep only their type name. Standard output gets
// one JSON line per event, written as it happens:
//
//   {"event":"request","method":"GET","path":"/..."}                  each HTTP/1.1 request sent
//   {"event":"message","elapsedMs":12,"message":{...}}                each response message
//   {"event":"end","elapsedMs":15,"code":"ok"|"not_found"|...,"message":"...",
//    "details":[{"type":"google.rpc.RetryInfo","value":{...}|null}],
//    "headers":{...},"trailers":{...},"metadata":{...}}                last line
//
// elapsedMs counts from the start of the call. The exit status is 0 whenever the call ran,
// whatever its outcome; 2 when the input was unusable.
import { readFileSync } from "node:fs";
import { subscribe } from "node:diagnostics_channel";
import { create, createFileRegistry, fromBinary, fromJson, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError, createClient } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { compressionGzip, createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";

function emit(event) {
  // Writes to a pipe are synchronous on Linux, so each line leaves before the next event.
  process.stdout.write(JSON.stringify(event) + "\n");
}

function unusable(reason) {
  process.stderr.write("connect-client: " + reason + "\n");
  process.exit(2);
}

function plain(headers) {
  return headers ? Object.fromEntries(headers.entries()) : {};
}

const input = JSON.parse(readFileSync(0, "utf8"));
// One set of every file the given sets hold, each file once (sets may share imports).
const files = new Map();
for (const path of input.descriptorSets) {
  for (const file of fromBinary(FileDescriptorSetSchema, readFileSync(path)).file) {
    files.set(file.name, file);
  }
}
const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: [...files.values()] }));
const service = registry.getService(input.service);
if (!service) {
  unusable("service " + input.service + " is not in " + input.descriptorSets.join(", "));
}
const method = service.methods.find((m) => m.name === input.method);
if (!method) {
  unusable("method " + input.method + " is not in " + input.service);
}

// Only node:http reports its requests here; HTTP/2 streams have no such channel in Node.js 20.
subscribe("http.client.request.start", ({ request }) => {
  emit({ event: "request", method: request.method, path: request.path });
});

const transportOptions = {
  baseUrl: input.baseUrl,
  httpVersion: input.httpVersion ?? "1.1",
  useBinaryFormat: (input.format ?? "binary") === "binary",
  // Without compressMinBytes: 0 connect-es leaves requests under 1 KiB uncompressed.
  ...(input.gzip ? { sendCompression: compressionGzip, acceptCompression: [compressionGzip], compressMinBytes: 0 } : {}),
};
const protocol = input.protocol ?? "connect";
const transport = protocol === "grpc-web" ? createGrpcWebTransport(transportOptions)
  : protocol === "grpc" ? createGrpcTransport(transportOptions)
  : protocol === "connect" ? createConnectTransport({ ...transportOptions, useHttpGet: input.useHttpGet === true })
  : unusable("protocol " + protocol + " (expected: connect, grpc-web or grpc)");
const client = createClient(service, transport);

let headers;
let trailers;
const options = {
  headers: input.headers ?? {},
  timeoutMs: input.timeoutMs,
  onHeader: (h) => (headers = h),
  onTrailer: (t) => (trailers = t),
};
const request = fromJson(method.input, input.request ?? {}, { registry });
const started = performance.now();
const elapsedMs = () => Math.round(performance.now() - started);
const message = (m) => emit({ event: "message", elapsedMs: elapsedMs(), message: toJson(method.output, m, { registry }) });

try {
  if (method.methodKind === "unary") {
    message(await client[method.localName](request, options));
  } else if (method.methodKind === "server_streaming") {
    for await (const m of client[method.localName](request, options)) {
      message(m);
    }
  } else {
    unusable("method " + input.method + " is " + method.methodKind + " (expected: unary or server_streaming)");
  }
  emit({ event: "end", elapsedMs: elapsedMs(), code: "ok", message: "", details: [],
    headers: plain(headers), trailers: plain(trailers), metadata: {} });
} catch (e) {
  const error = ConnectError.from(e);
  const details = error.details.map((detail) => {
    const desc = detail.type ? registry.getMessage(detail.type) : undefined;
    return {
      type: detail.type ?? detail.desc?.typeName,
      value: desc && detail.value ? toJson(desc, fromBinary(desc, detail.value), { registry }) : null,
    };
  });
  emit({ event: "end", elapsedMs: elapsedMs(), code: codeToString(error.code), message: error.rawMessage,
    details, headers: plain(headers), trailers: plain(trailers), metadata: plain(error.metadata) });
}
// An HTTP/2 session would keep the process alive until its idle timeout.
process.exit(0);
