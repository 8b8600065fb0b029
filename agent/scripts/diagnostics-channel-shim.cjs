// node:diagnostics_channel for the bundle (scripts/bundle.mjs). Node 16.20 (the runtime of the
// Debian 9 package, docs/deployment.md) has channel() but not tracingChannel() (Node >= 18.19),
// which pino calls when it is loaded. Where the runtime has tracingChannel() this module is the
// runtime's own; otherwise tracingChannel() returns channels nobody can subscribe to, which is
// what a tracing channel without subscribers is: the traced function is called as is.
"use strict";
const dc = require("node:diagnostics_channel");

function untraced(name) {
  const events = ["start", "end", "asyncStart", "asyncEnd", "error"];
  const channels = Object.fromEntries(events.map((e) => [e, dc.channel(`tracing:${name}:${e}`)]));
  return {
    ...channels,
    hasSubscribers: false,
    subscribe() {
      throw new Error("diagnostics_channel.tracingChannel needs Node >= 18.19");
    },
    unsubscribe() {
      return false;
    },
    traceSync(fn, _context, thisArg, ...args) {
      return fn.apply(thisArg, args);
    },
    tracePromise(fn, _context, thisArg, ...args) {
      return fn.apply(thisArg, args);
    },
    traceCallback(fn, _position, _context, thisArg, ...args) {
      return fn.apply(thisArg, args);
    },
  };
}

module.exports = typeof dc.tracingChannel === "function" ? dc : { ...dc, tracingChannel: (name) => untraced(name) };
