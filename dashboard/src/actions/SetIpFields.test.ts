import { defaultSectors } from "@bbb/shared";
import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { prefillSetIp, type SetIpForm } from "./forms.js";
import SetIpFields from "./SetIpFields.vue";

describe("SetIpFields", () => {
  it("shows the pre-filled subnet and emits the new form when the address moves to another sector", async () => {
    const sectors = defaultSectors();
    const w = mount(SetIpFields, { props: { form: prefillSetIp("10.128.30.5", sectors), sectors, errors: {}, manualAllowed: true } });
    expect((w.get("#ip-mask").element as HTMLInputElement).value).toBe("255.255.255.0");
    expect((w.get("#ip-gw").element as HTMLInputElement).value).toBe("10.128.30.1");
    expect(w.text()).toContain("sector 3");
    await w.get("#ip-addr").setValue("10.128.25.70");
    const ev = w.emitted("update:form")?.at(-1)?.[0] as SetIpForm;
    expect(ev).toEqual({ mode: "manual", ip: "10.128.25.70", netmask: "255.255.255.192", gateway: "10.128.25.65" });
  });

  it("offers DHCP only for a bulk selection and shows field errors", () => {
    const w = mount(SetIpFields, { props: { form: { mode: "dhcp", ip: "", netmask: "", gateway: "" }, sectors: [], errors: { mode: "x" }, manualAllowed: false } });
    expect((w.get('input[value="manual"]').element as HTMLInputElement).disabled).toBe(true);
    expect(w.text()).toContain("one board at a time");
  });
});
