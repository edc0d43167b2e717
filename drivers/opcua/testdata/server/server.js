// OPC UA server for the drivers/opcua tests.
//
//   node server.js PORT [PKI_DIR]
//
// Listens on opc.tcp://127.0.0.1:PORT/iotos with security mode None (and
// Basic256Sha256, which encrypts passwords sent over the None endpoint),
// accepts anonymous sessions and the user "operator" with password "secret", and
// prints "ready" on stdout once it accepts connections. Variables live in
// namespace 2 (urn:iotos:test) under Objects/Plant:
//
//   ns=2;s=Temperature  Double   read-only, +0.5 every 100 ms (changes on its own)
//   ns=2;s=Setpoint     Double   writable
//   ns=2;s=Count        Int32    writable
//   ns=2;s=Mode         UInt16   writable
//   ns=2;s=Running      Boolean  writable
//   ns=2;s=Label        String   writable
//   ns=2;s=Limits       folder with ns=2;s=Limits.High (Double, writable)
//
// PKI_DIR holds the server's certificate; reusing it across starts avoids
// generating a new key each time.
"use strict";

const path = require("path");
const os = require("os");
const {
  OPCUAServer,
  OPCUACertificateManager,
  Variant,
  DataType,
  StatusCodes,
  MessageSecurityMode,
  SecurityPolicy,
} = require("node-opcua");

const port = Number.parseInt(process.argv[2], 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node server.js PORT [PKI_DIR]");
  process.exit(2);
}
const pkiDir = process.argv[3] || path.join(os.tmpdir(), "iotos-opcua-test-pki");

const users = { operator: "secret" };

function addWritable(ns, parent, name, dataType, initial) {
  let value = new Variant({ dataType, value: initial });
  ns.addVariable({
    componentOf: parent,
    browseName: name,
    nodeId: "s=" + name,
    dataType: DataType[dataType],
    accessLevel: "CurrentRead | CurrentWrite",
    userAccessLevel: "CurrentRead | CurrentWrite",
    minimumSamplingInterval: 50,
    value: {
      get: () => value,
      set: (v) => {
        if (v.dataType !== dataType) {
          return StatusCodes.BadTypeMismatch;
        }
        value = v;
        return StatusCodes.Good;
      },
    },
  });
}

function populate(addressSpace) {
  const ns = addressSpace.registerNamespace("urn:iotos:test");
  const plant = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "Plant", nodeId: "s=Plant" });

  let temperature = 20;
  ns.addVariable({
    componentOf: plant,
    browseName: "Temperature",
    nodeId: "s=Temperature",
    dataType: "Double",
    accessLevel: "CurrentRead",
    userAccessLevel: "CurrentRead",
    minimumSamplingInterval: 50,
    value: { get: () => new Variant({ dataType: DataType.Double, value: temperature }) },
  });
  setInterval(() => { temperature += 0.5; }, 100).unref();

  addWritable(ns, plant, "Setpoint", DataType.Double, 21.5);
  addWritable(ns, plant, "Count", DataType.Int32, 42);
  addWritable(ns, plant, "Mode", DataType.UInt16, 3);
  addWritable(ns, plant, "Running", DataType.Boolean, false);
  addWritable(ns, plant, "Label", DataType.String, "pump");

  const limits = ns.addObject({ componentOf: plant, browseName: "Limits", nodeId: "s=Limits" });
  addWritable(ns, limits, "Limits.High", DataType.Double, 90);
}

async function main() {
  const serverCertificateManager = new OPCUACertificateManager({
    automaticallyAcceptUnknownCertificate: true,
    rootFolder: path.join(pkiDir, "server"),
  });
  const server = new OPCUAServer({
    port,
    hostname: "127.0.0.1",
    resourcePath: "/iotos",
    serverCertificateManager,
    // Clients use security mode None; Basic256Sha256 is offered too because
    // node-opcua only lets a None endpoint accept a password encrypted with
    // one of the server's policies, as real servers do.
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    allowAnonymous: true,
    userManager: { isValidUser: (user, password) => users[user] === password },
    buildInfo: { productName: "iotos-opcua-test-server" },
  });
  await server.initialize();
  populate(server.engine.addressSpace);
  await server.start();
  console.log("ready");

  const stop = async () => {
    await server.shutdown(0);
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
