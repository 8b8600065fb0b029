import { existsSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontExtension } from "../src/front/front-extension.js";
import { startTestServer, type TestServer } from "./helpers.js";

type Json = Record<string, any>;
const CHROMIUM = "/usr/bin/chromium";

describe("/api/docs and the examples of the OpenAPI document", () => {
  let srv: TestServer;
  let doc: Json;

  beforeAll(async () => {
    srv = await startTestServer({}, { extensions: [createFrontExtension()] });
    doc = (await (await fetch(`${srv.http}/api/openapi.json`)).json()) as Json;
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("has an example on every operation, and each one fits its own schema", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    // Refs in the document are `#/components/schemas/…`: validate against a wrapper that holds them.
    let n = 0;
    const check = (schema: Json, value: unknown, where: string) => {
      const validate = ajv.compile({ $id: `urn:check:${++n}`, components: doc.components, ...schema });
      expect(
        validate(value),
        `${where}: ${JSON.stringify(validate.errors?.slice(0, 2))} for ${JSON.stringify(value)}`,
      ).toBe(true);
    };
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths as Json)) {
      for (const [verb, op] of Object.entries(ops as Json)) {
        operations++;
        const where = `${verb.toUpperCase()} ${path}`;
        const ok = (op as Json).responses["200"].content["application/json"];
        if ((op as Json).operationId === "auth.token") continue;
        expect(ok.example, `${where} result example`).toBeDefined();
        check(ok.schema, ok.example, `${where}-result`);
        const body = (op as Json).requestBody?.content["application/json"];
        if (body) {
          expect(body.example, `${where} body example`).toBeDefined();
          // The path's params come from the path: put the example's back before checking.
          const fromPath = Object.fromEntries(
            ((op as Json).parameters ?? []).filter((p: Json) => p.in === "path").map((p: Json) => [p.name, p.example]),
          );
          check(body.schema, { ...body.example, ...fromPath }, `${where}-body`);
        }
        for (const p of ((op as Json).parameters ?? []) as Json[]) {
          if (p.required) expect(p.example, `${where} ${p.name}`).toBeDefined();
          if (p.example !== undefined) check(p.schema, p.example, `${where}-${p.name}`);
        }
      }
    }
    expect(operations).toBeGreaterThan(30);
    const err = doc.components.responses.Error.content["application/problem+json"];
    check(err.schema, err.example, "problem");
  });

  it("answers an error as problem details the document describes", async () => {
    const r = await fetch(`${srv.http}/api/hosts/0123456789ab`, {
      headers: { authorization: `Basic ${Buffer.from("admin:admin-password-for-tests").toString("base64")}` },
    });
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(await r.json()).toMatchObject({
      type: "urn:bbb:error:MGR_E_NOT_FOUND",
      status: 404,
      code: "MGR_E_NOT_FOUND",
      detail: "board 0123456789ab not found",
    });
  });

  it("serves Swagger UI from this server under the dashboard's CSP", async () => {
    const page = await fetch(`${srv.http}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ["swagger-ui.css", "swagger-ui-bundle.js", "docs.js"])
      expect((await fetch(`${srv.http}/api/docs/${asset}`)).status, asset).toBe(200);
    expect((await fetch(`${srv.http}/api/docs/package.json`)).status).toBe(404);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    "renders every operation in Chromium with no CSP violation and no other site contacted",
    async () => {
      let browser: Browser | null = null;
      try {
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
        const page = await browser.newPage();
        const problems: string[] = [];
        const foreign: string[] = [];
        page.on("console", (m) => {
          if (/content security policy|refused to/i.test(m.text())) problems.push(m.text());
        });
        page.on("pageerror", (e) => problems.push(String(e)));
        page.on("request", (r) => {
          if (!r.url().startsWith(srv.http) && !r.url().startsWith("data:")) foreign.push(r.url());
        });
        await page.goto(`${srv.http}/api/docs`);
        await page.waitForSelector(".opblock", { timeout: 20_000 });
        const ops = await page.$$eval(".opblock", (els) => els.length);
        const inDoc = Object.values(doc.paths as Json).reduce((a: number, o) => a + Object.keys(o as Json).length, 0);
        expect(ops).toBe(inDoc);
        expect(await page.textContent(".info .title")).toContain("BBB fleet manager API");
        // Open one operation: its example is shown.
        await page.click('.opblock-summary-path[data-path="/hosts/{id}"]');
        await page.waitForSelector(".opblock.is-open .example, .opblock.is-open .microlight, .opblock.is-open pre", {
          timeout: 10_000,
        });
        expect(await page.textContent(".opblock.is-open")).toContain("a0f6fd8b1c22");
        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await browser?.close();
      }
    },
    90_000, // a bound on a hang: Chromium and Swagger UI start slowly on a loaded machine
  );
});
