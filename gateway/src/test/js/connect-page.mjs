// The script of connect-page.html: connect-es in a browser (@connectrpc/connect-web, over fetch)
// calling the gateway from another origin, for ConnectBrowserIT. The build bundles it with
// esbuild. The page's query string says what to do:
//
//   gateway   the gateway's base URL
//   protocol  "connect" (the default) or "grpc-web" (connect-web's gRPC-Web transport)
//   format    "json" (connect-web's default) or "binary"; gRPC-Web is always binary
//   steps     comma-separated, run in order: "create" (CreateOffer), "get" (GetOffer of the
//             offer created before, or of a random id), "watch" (WatchOffers until one offer
//             arrives); and the same over REST with the browser's own fetch, from the methods'
//             google.api.http bindings: "rest-create" (POST /v1/offers), "rest-get" (GET
//             /v1/offers/{id}), "rest-watch" (GET /v1/sellers/{user}/offers:watch, read as NDJSON
//             until one line arrives)
//   user      the dummy credential's user, such as "alice"
//
// Each outcome is POSTed as one JSON object to /events on the page's own origin, where the test
// reads it, and listed in the page: {"step":"create","code":"ok","message":{...}} or
// {"step":"get","code":"unknown","error":"Failed to fetch"}. "watching" is reported when the
// stream was opened. A REST answer that is not 2xx is reported with code "http-<status>" and the
// google.rpc.Status JSON it carried as message.
import { createFileRegistry, fromBinary, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError, createClient } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";

const params = new URLSearchParams(location.search);
const user = params.get("user") ?? "alice";

async function report(event) {
  const item = document.createElement("li");
  item.className = "event";
  item.textContent = JSON.stringify(event);
  document.getElementById("events").append(item);
  await fetch("/events", { method: "POST", body: JSON.stringify(event) });
}

async function step(name, call) {
  try {
    await call();
  } catch (e) {
    const error = ConnectError.from(e);
    await report({ step: name, code: codeToString(error.code), error: error.rawMessage });
  }
}

const set = fromBinary(FileDescriptorSetSchema, new Uint8Array(await (await fetch("/descriptors.binpb")).arrayBuffer()));
const registry = createFileRegistry(set);
const service = registry.getService("examples.offer.v1.OfferService");
const output = (name) => service.methods.find((m) => m.name === name).output;
const json = (name, message) => toJson(output(name), message, { registry });
const transport = params.get("protocol") === "grpc-web"
  ? createGrpcWebTransport({ baseUrl: params.get("gateway") })
  : createConnectTransport({ baseUrl: params.get("gateway"), useBinaryFormat: params.get("format") === "binary" });
const client = createClient(service, transport);

// fetch with the dummy credential; a 2xx answer's response, or the failure reported.
async function rest(name, path, init = {}) {
  const response = await fetch(params.get("gateway") + path,
    { ...init, headers: { Authorization: "Bearer dummy:" + user + ":offers.write", ...init.headers } });
  if (!response.ok) {
    await report({ step: name, code: "http-" + response.status, message: await response.json() });
    return undefined;
  }
  return response;
}

let created;
for (const name of (params.get("steps") ?? "").split(",").filter((s) => s)) {
  if (name === "create") {
    await step(name, async () => {
      created = await client.createOffer(
        { itemId: "item-browser", title: "Seen from a browser", price: { currencyCode: "JPY", units: 800n } },
        { headers: { Authorization: "Bearer dummy:" + user + ":offers.write" } });
      await report({ step: name, code: "ok", message: json("CreateOffer", created) });
    });
  } else if (name === "get") {
    await step(name, async () => {
      const offer = await client.getOffer({ id: created?.id ?? crypto.randomUUID() });
      await report({ step: name, code: "ok", message: json("GetOffer", offer) });
    });
  } else if (name === "rest-create") {
    await step(name, async () => {
      const response = await rest(name, "/v1/offers", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ itemId: "item-rest", title: "Posted from a browser", price: { currencyCode: "JPY", units: "900" } }),
      });
      if (response) {
        created = await response.json();
        await report({ step: name, code: "ok", message: created });
      }
    });
  } else if (name === "rest-get") {
    await step(name, async () => {
      const response = await rest(name, "/v1/offers/" + encodeURIComponent(created?.id ?? crypto.randomUUID()));
      if (response) {
        await report({ step: name, code: "ok", message: await response.json() });
      }
    });
  } else if (name === "rest-watch") {
    await step(name, async () => {
      const abort = new AbortController();
      // The answer's headers come with its first line, so the stream is open before fetch resolves.
      const answer = rest(name, "/v1/sellers/" + encodeURIComponent(user) + "/offers:watch", { signal: abort.signal });
      await report({ step: "rest-watching", code: "ok" });
      const response = await answer;
      if (!response) {
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) {
          await report({ step: name, code: "ok", error: "the stream ended without a line" });
          return;
        }
        text += value;
      }
      // Aborting cancels the stream, as a page that saw what it wanted would.
      abort.abort();
      await report({ step: name, code: "ok", message: JSON.parse(text.slice(0, text.indexOf("\n"))) });
    });
  } else if (name === "watch") {
    await step(name, async () => {
      const stream = client.watchOffers({ sellerId: user }, { headers: { Authorization: "Bearer dummy:" + user } });
      const iterator = stream[Symbol.asyncIterator]();
      const first = iterator.next();
      await report({ step: "watching", code: "ok" });
      const { value, done } = await first;
      if (done) {
        await report({ step: name, code: "ok", error: "the stream ended without a message" });
        return;
      }
      // Leaving the loop cancels the stream, as a page that saw what it wanted would.
      await iterator.return();
      await report({ step: name, code: "ok", message: json("WatchOffers", value) });
    });
  }
}
await report({ step: "done", code: "ok" });
