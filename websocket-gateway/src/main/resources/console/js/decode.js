// A record's data (base64) shown the most readable way: JSON, else UTF-8 text, else hex.
const utf8 = new TextDecoder("utf-8", { fatal: true });
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const MAX_HEX_BYTES = 256;

export function decode(base64) {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    return hex(bytes);
  }
  if (CONTROL.test(text)) return hex(bytes);
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) return { kind: "json", text: JSON.stringify(JSON.parse(trimmed)) };
  } catch {
    // not JSON: plain text
  }
  return { kind: "text", text };
}

function hex(bytes) {
  const shown = Array.from(bytes.subarray(0, MAX_HEX_BYTES), b => b.toString(16).padStart(2, "0")).join(" ");
  return { kind: "hex", text: bytes.length > MAX_HEX_BYTES ? `${shown} … (${bytes.length} bytes)` : shown };
}
