import { createHmac } from 'node:crypto';

/**
 * 加签 as DingTalk documents it (自定义机器人安全设置, https://open.dingtalk.com/document/robots/customize-robot-security-settings):
 * sign = base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)), sent URL-encoded beside the
 * timestamp in ms; DingTalk refuses a timestamp more than an hour from its clock.
 */
export function robotSignature(secret: string, timestampMs: number): { timestamp: string; sign: string } {
  const timestamp = String(Math.trunc(timestampMs));
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  return { timestamp, sign };
}

/** Adds timestamp and sign to a send URL (URLSearchParams does the URL-encoding DingTalk asks for). */
export function signUrl(url: URL, secret: string, timestampMs: number): URL {
  const signed = new URL(url);
  const { timestamp, sign } = robotSignature(secret, timestampMs);
  signed.searchParams.set('timestamp', timestamp);
  signed.searchParams.set('sign', sign);
  return signed;
}
