/** IPv4 addresses and CIDR blocks, for the `cidr` matcher. */

function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let address = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    address = address * 256 + octet;
  }
  return address;
}

export function parseCidr(block: string): { network: number; size: number } | undefined {
  const [address, bits, ...rest] = block.split("/");
  if (rest.length > 0 || address === undefined || bits === undefined) return undefined;
  if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  const parsed = parseIpv4(address);
  if (parsed === undefined) return undefined;
  const size = 2 ** (32 - Number(bits));
  return { network: parsed - (parsed % size), size };
}

export function inCidr(block: string, value: string): boolean {
  const cidr = parseCidr(block);
  const address = parseIpv4(value);
  if (cidr === undefined || address === undefined) return false;
  return address >= cidr.network && address < cidr.network + cidr.size;
}
