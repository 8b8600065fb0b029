import { quietMqttPacket } from "./quiet-debug.js";

/**
 * Runs when this module is evaluated, so it must be imported before anything that loads Aedes
 * or MQTT.js (create-broker.ts imports it first): whether mqtt-packet got the quiet `debug`.
 */
export const mqttPacketQuiet: boolean = quietMqttPacket();
