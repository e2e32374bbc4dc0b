// Preloaded into the Microsoft 365 Agents Playground (node --require) by bot/playground.py.
//
// The Playground has no option for the address it listens on and calls server.listen(port)
// with no host, which listens on every interface: anyone on the network could then chat with
// the anonymous bot as the demo's PMO member. This makes every server in its process listen
// on IIP_PLAYGROUND_HOST (a loopback address) whatever address it asked for.
"use strict";

const net = require("net");

const host = process.env.IIP_PLAYGROUND_HOST || "127.0.0.1";
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (first !== null && typeof first === "object" && !("_handle" in first) &&
      !("fd" in first) && first.path === undefined) {
    // listen(options[, callback])
    args[0] = { ...first, host };
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback])
    if (typeof args[1] === "string") {
      args[1] = host;
    } else {
      args.splice(1, 0, host);
    }
  } else if (first === undefined || typeof first === "function") {
    // listen([callback]): a random port
    args.splice(0, 0, 0, host);
  }
  // Anything else (a Unix socket path, a handle) is not reachable over the network.
  return listen.apply(this, args);
};
