//! Webhook targets may not be this machine or its private network (SSRF): names are
//! resolved here, and only public addresses reach the connection, so a name that resolves
//! to a private address (now or after a DNS change) is refused at the moment of sending.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// True for addresses a webhook must not reach: loopback, private, link-local, shared
/// (CGNAT), unspecified, multicast, broadcast and documentation ranges, and IPv4 inside IPv6.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
        }
    }
}

/// A webhook URL as the HTTP client will read it (the WHATWG URL parser: `2130706433`,
/// `0x7f000001` and `127.1` are all 127.0.0.1), or why it is not one.
pub fn parse(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("is not a valid URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    if parsed.host().is_none() {
        return Err("has no host".to_owned());
    }
    Ok(parsed)
}

/// Why a URL is refused before any lookup: not a URL, or an address (in any spelling the
/// client accepts) in a private range. Names are checked after their lookup.
pub fn refused_literal(url: &str) -> Option<String> {
    let parsed = match parse(url) {
        Ok(p) => p,
        Err(why) => return Some(why),
    };
    // The parser writes an address host in its canonical form (IPv6 in brackets).
    let host = parsed.host_str()?;
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    is_private(ip).then(|| format!("{ip} is a loopback or private address"))
}

/// Resolves names and drops private addresses (unless they are allowed).
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly {
    /// Let private addresses through (`--webhook-allow-private`).
    pub allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| allow || !is_private(a.ip()))
                .collect();
            if usable.is_empty() {
                let why: Box<dyn std::error::Error + Send + Sync> = if found.is_empty() {
                    format!("`{host}` does not resolve").into()
                } else {
                    format!(
                        "`{host}` resolves only to loopback or private addresses; start the server with --webhook-allow-private to allow them"
                    )
                    .into()
                };
                return Err(why);
            }
            let addrs: Addrs = Box::new(usable.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_targets_are_refused_and_public_ones_pass() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://10.1.2.3/",
            "https://192.168.0.10/x",
            "http://[::1]:9000/",
            "http://169.254.169.254/latest/meta-data",
            "http://user@172.16.0.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://2130706433:47002/b",
            "http://0x7f000001/c",
            "http://127.1/d",
            "http://0177.0.0.1/p",
            "http://2852039166/latest",
            "http://10.1/",
            "https://example.com:99999/h",
        ] {
            assert!(refused_literal(url).is_some(), "{url}");
        }
        for url in [
            "https://hooks.example.org/in",
            "http://93.184.215.14/hook",
            "https://[2606:4700::1111]/",
        ] {
            assert!(refused_literal(url).is_none(), "{url}");
        }
    }
}
