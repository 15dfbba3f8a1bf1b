/**
 * Making the local certificate authority and the server certificate `--tls` serves
 * (docs/architecture.md §3.4). Certificates are built by node-forge, never by hand-written ASN.1; the
 * RSA keys come from Node's own generator. node-forge costs 70-120 ms to import, so it is loaded only
 * when a certificate must be made (the first `--tls` start, or a renewal), never on an ordinary start.
 *
 * What the platforms require, and why each field is here: a CA with basicConstraints cA (Android's
 * user CAs, Chromium), a server certificate with the names in subjectAltName (every client since
 * Chrome 58 ignores the common name), extendedKeyUsage serverAuth, RSA 2048 and SHA-256, and at most
 * 398 days of validity (iOS and macOS refuse longer-lived server certificates).
 */
import { createHash, generateKeyPair, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

/** The names every server certificate carries: this machine, the Android emulator's view of it, Kakao's hosts. */
export const SERVER_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1', '10.0.2.2', 'kauth.kakao.com', 'kapi.kakao.com'];

const DAY_MS = 86_400_000;
const CA_DAYS = 3650;
const SERVER_DAYS = 397;
/** A server certificate with less left than this is renewed at startup (by the same CA). */
const RENEW_BEFORE_DAYS = 30;

export interface CertificateAndKey {
  cert: string;
  key: string;
}

const generateRsa = promisify(generateKeyPair);

async function rsaKeys(): Promise<{ publicKey: string; privateKey: string }> {
  return generateRsa('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

async function loadForge(): Promise<typeof import('node-forge')> {
  return (await import('node-forge')).default;
}

function serial(): string {
  // Positive (leading nibble below 8) and unique enough that a browser never sees two certificates
  // with the same issuer and serial after a renewal.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** A new local CA: its own name says whose it is and when it was made, so a user can tell two apart. */
export async function makeCa(now: Date = new Date()): Promise<CertificateAndKey> {
  const [forge, keys] = await Promise.all([loadForge(), rsaKeys()]);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + CA_DAYS * DAY_MS);
  const name = [
    { name: 'commonName', value: `kakao-mock local CA ${now.toISOString().slice(0, 10)}` },
    { name: 'organizationName', value: 'kakao-mock (development only)' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey };
}

/** A server certificate for `names` (host names and IP addresses), signed by `ca`. */
export async function makeServerCertificate(ca: CertificateAndKey, names: readonly string[], now: Date = new Date()): Promise<CertificateAndKey> {
  const [forge, keys] = await Promise.all([loadForge(), rsaKeys()]);
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + SERVER_DAYS * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) === 0 ? { type: 2, value: n } : { type: 7, ip: n })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey };
}

/**
 * Why a kept server certificate cannot serve any more, or undefined when it can: not signed by this
 * CA, a name missing, expired or about to. Read with Node's parser (no node-forge on this path).
 */
export function serverCertificateProblem(serverPem: string, caPem: string, names: readonly string[], now: Date = new Date()): string | undefined {
  let server: X509Certificate;
  let ca: X509Certificate;
  try {
    server = new X509Certificate(serverPem);
    ca = new X509Certificate(caPem);
  } catch (error) {
    return `unreadable (${(error as Error).message})`;
  }
  if (!server.checkIssued(ca) || !server.verify(ca.publicKey)) return 'not signed by the CA';
  if (new Date(ca.validTo).getTime() < now.getTime()) return 'the CA has expired';
  if (new Date(server.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return `expires on ${server.validTo}`;
  const missing = names.filter((n) => (isIP(n) === 0 ? server.checkHost(n, { wildcards: false }) === undefined : server.checkIP(n) === undefined));
  return missing.length > 0 ? `does not name ${missing.join(', ')}` : undefined;
}

/** The SHA-256 of a certificate's public key, base64: what Chromium's --ignore-certificate-errors-spki-list takes. */
export function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
