// Non-JSON pages Bungie's edge serves: Cloudflare blocks and challenges, gateway errors.
// Titles match what real clients look for ("Attention Required! | Cloudflare", "Just a moment...").

function rayId(n: number): string {
  return `${(n >>> 0).toString(16).padStart(8, "0")}a1b2c3d4`
}

export function renderCloudflareBlock(n: number): string {
  return `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<meta name="robots" content="noindex, nofollow" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
      <h2 class="cf-subheadline">You are unable to access bungie.net</h2>
      <p>This website is using a security service to protect itself from online attacks.</p>
      <span class="cf-footer-item">Cloudflare Ray ID: <strong>${rayId(n)}</strong></span>
    </div>
  </div>
</body>
</html>
`
}

export function renderCloudflareChallenge(n: number): string {
  return `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"></head><body><div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cRay: '${rayId(n)}',cType: 'managed'};}());</script></body></html>`
}

export function renderGatewayError(status: 500 | 502 | 503 | 504): string {
  const title = {
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
  }[status]
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`
}
