// The whole PhotoMania API flow with openapi-fetch and the generated types: sign-up (allauth's app
// API), catalog, apply (JSON and upload, with Idempotency-Key), polling, download, credits,
// history, profile update, an API key (a waited apply and a batch with it), delete, and the
// documented errors. The system tests run it
// (`npm run build && node dist/flow.js`) against a live server and read the JSON it prints.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Job = components["schemas"]["Job"];

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env("PHOTOMANIA_URL");
// An apply answers the queued job ({jobId, status}), or with `Prefer: wait` the finished job itself.
const jobIdOf = (data: { jobId: string } | { id: string } | undefined): string | undefined =>
  data === undefined ? undefined : "jobId" in data ? data.jobId : data.id;
const photoUrl = env("PHOTO_URL");

async function signUp(email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_allauth/app/v1/auth/signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: env("PASSWORD") }),
  });
  const body = (await response.json()) as { meta?: { session_token?: string } };
  const token = body.meta?.session_token;
  if (!response.ok || !token) throw new Error(`sign-up failed: ${response.status}`);
  return token;
}

async function main(): Promise<void> {
  const token = await signUp(env("EMAIL"));
  const api = createClient<paths>({ baseUrl, headers: { "X-Session-Token": token } });
  const anonymous = createClient<paths>({ baseUrl });
  const out: Record<string, unknown> = {};

  const catalog = await anonymous.GET("/api/effects", { params: { query: { pageSize: 100 } } });
  out.catalog = catalog.data?.data.map((effect) => effect.slug) ?? [];

  const jsonApply = { effectId: "client-gray", imageUrl: photoUrl };
  const first = await api.POST("/api/effects/apply", {
    body: jsonApply,
    params: { header: { "Idempotency-Key": "ts-json-1" } },
  });
  const replay = await api.POST("/api/effects/apply", {
    body: jsonApply,
    params: { header: { "Idempotency-Key": "ts-json-1" } },
  });
  out.replayed = replay.response.headers.get("Idempotent-Replayed");
  out.sameJob = jobIdOf(first.data?.data) === jobIdOf(replay.data?.data);

  const form = new FormData();
  form.append("effectId", "client-gray");
  form.append("image", new Blob([Buffer.from(env("PHOTO_BASE64"), "base64")], { type: "image/jpeg" }), "p.jpg");
  const upload = await api.POST("/api/effects/apply", {
    // openapi-fetch sends FormData as it is (multipart); the type is the schema's upload body.
    body: form as unknown as components["schemas"]["ApplyUploadInputRequest"],
    bodySerializer: (body) => body as unknown as FormData,
    params: { header: { "Idempotency-Key": "ts-upload-1" } },
  });

  const jobIds = [jobIdOf(first.data?.data), jobIdOf(upload.data?.data)].filter((id): id is string => Boolean(id));
  const finished: Job[] = [];
  for (const jobId of jobIds) {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { data } = await api.GET("/api/jobs/{jobId}", { params: { path: { jobId } } });
      if (data && (data.data.status === "COMPLETED" || data.data.status === "FAILED")) {
        finished.push(data.data);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  out.statuses = finished.map((job) => job.status);
  out.downloads = await Promise.all(
    finished.map(async (job) => (await fetch(new URL(job.resultUrl ?? "", baseUrl))).status),
  );

  const credits = await api.GET("/api/user/credits");
  const history = await api.GET("/api/user/credits/history", { params: { query: { page: 1, pageSize: 10 } } });
  out.credits = credits.data?.data.credits;
  // The history also answers text/csv (?format=csv), so its body type is JSON or a string.
  const page = history.data;
  out.charges = typeof page === "object" ? page.data.filter((entry) => entry.kind === "EFFECT_CHARGE").length : undefined;

  const profile = await api.PATCH("/api/user", { body: { name: "TS Client" } });
  out.name = profile.data?.data.name;

  // An API key that may read and apply: a waited apply answers the finished job, a batch queues one
  // job per photo, and the key cannot manage keys.
  const created = await api.POST("/api/keys", { body: { name: "ts farm", scopes: ["read", "apply"] } });
  const keyed = createClient<paths>({ baseUrl, headers: { "X-Api-Key": created.data?.data.key ?? "" } });
  const waited = await keyed.POST("/api/effects/apply", {
    body: jsonApply,
    params: { header: { Prefer: "wait=60", "Idempotency-Key": "ts-wait-1" } },
  });
  const waitedJob = waited.data?.data;
  out.waited = {
    status: waited.response.status,
    applied: waited.response.headers.get("Preference-Applied"),
    charged: waited.response.headers.get("X-Credits-Charged"),
    rateLimited: waited.response.headers.get("X-RateLimit-Limit") !== null,
    job: waitedJob && "resultUrl" in waitedJob ? waitedJob.status : undefined,
  };
  const batch = await keyed.POST("/api/effects/apply/batch", {
    body: { effectId: "client-gray", items: [{ imageUrl: photoUrl }, { imageUrl: photoUrl }] },
  });
  const batchIds = batch.data?.data.jobs.map((job) => job.jobId) ?? [];
  const batchStatuses: string[] = [];
  for (const jobId of batchIds) {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { data } = await keyed.GET("/api/jobs/{jobId}", { params: { path: { jobId } } });
      if (data && (data.data.status === "COMPLETED" || data.data.status === "FAILED")) {
        batchStatuses.push(data.data.status);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const keysWithKey = await keyed.GET("/api/keys");
  out.batch = { status: batch.response.status, statuses: batchStatuses, keysWithKey: keysWithKey.response.status };

  const deleted = await api.DELETE("/api/jobs/{jobId}", { params: { path: { jobId: jobIds[0] ?? "" } } });
  const saved = await api.DELETE("/api/effects/{ref}", { params: { path: { ref: jobIds[1] ?? "" } } });
  out.deleted = [deleted.data?.data.deleted, saved.data?.data.deleted];

  // The documented errors, each parsed as its typed envelope.
  const unauthorized = await anonymous.GET("/api/user");
  const pricey = await api.POST("/api/effects/apply", { body: { effectId: "client-pricey", imageUrl: photoUrl } });
  const missing = await api.GET("/api/jobs/{jobId}", {
    params: { path: { jobId: "00000000-0000-4000-8000-000000000000" } },
  });
  const wrongType = await fetch(`${baseUrl}/api/user`, {
    method: "PATCH",
    headers: { "X-Session-Token": token, "Content-Type": "text/plain" },
    body: "name=x",
  });
  const wrongTypeBody = (await wrongType.json()) as components["schemas"]["ErrorResponse"];
  const conflict = await api.POST("/api/effects/apply", {
    body: { effectId: "client-gray", imageUrl: `${photoUrl}?other` },
    params: { header: { "Idempotency-Key": "ts-json-1" } },
  });
  let throttled = 0;
  // The apply limit (fixed windows) is reached within two windows' worth of requests.
  for (let attempt = 0; attempt < 40 && throttled !== 429; attempt++) {
    const answer = await api.POST("/api/effects/apply", { body: { effectId: "no-such-effect", imageUrl: photoUrl } });
    throttled = answer.response.status;
  }
  out.errors = {
    "401": unauthorized.error?.error.code,
    "402": [pricey.error?.error.code, pricey.response.status === 402 ? pricey.error : undefined],
    "404": missing.error?.error.code,
    "415": [wrongType.status, wrongTypeBody.error.code],
    "422": [conflict.response.status, conflict.error?.error.code],
    "429": throttled,
  };
  console.log(JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
