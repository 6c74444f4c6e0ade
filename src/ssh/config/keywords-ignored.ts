/**
 * The keywords OpenSSH 9.2's ssh_config knows but this resolver does not act on. They are accepted
 * (with a note), so a real ~/.ssh/config resolves; a keyword in none of these lists is an error,
 * as it is for ssh, unless IgnoreUnknown names it.
 */
export const OTHER_KEYWORDS: ReadonlySet<string> = new Set([
  "forwardagent", "forwardx11", "forwardx11trusted", "forwardx11timeout", "exitonforwardfailure",
  "xauthlocation", "gatewayports", "passwordauthentication", "kbdinteractiveauthentication",
  "kbdinteractivedevices", "challengeresponseauthentication", "skeyauthentication",
  "tisauthentication", "pubkeyauthentication", "dsaauthentication", "hostbasedauthentication",
  "gssapiauthentication", "gssapidelegatecredentials", "pkcs11provider", "smartcarddevice",
  "remoteforward", "localforward", "permitremoteopen", "escapechar", "connectionattempts",
  "batchmode", "checkhostip", "compression", "tcpkeepalive", "keepalive",
  "numberofpasswordprompts", "syslogfacility", "loglevel", "logverbose", "dynamicforward",
  "preferredauthentications", "casignaturealgorithms", "bindaddress", "bindinterface",
  "clearallforwardings", "enablesshkeysign", "verifyhostkeydns", "nohostauthenticationforlocalhost",
  "addressfamily", "controlpath", "controlmaster", "controlpersist", "tunnel", "tunneldevice",
  "localcommand", "permitlocalcommand", "remotecommand", "visualhostkey", "ipqos", "requesttty",
  "sessiontype", "stdinnull", "forkafterauthentication", "proxyusefdpass", "canonicaldomains",
  "canonicalizefallbacklocal", "canonicalizemaxdots", "canonicalizepermittedcnames",
  "streamlocalbindmask", "streamlocalbindunlink", "revokedhostkeys", "fingerprinthash",
  "updatehostkeys", "hostbasedacceptedalgorithms", "hostbasedkeytypes", "securitykeyprovider",
  "knownhostscommand", "requiredrsasize", "enableescapecommandline", "protocol",
]);

/** Keywords OpenSSH still parses but only logs as deprecated. */
export const DEPRECATED_KEYWORDS: ReadonlySet<string> = new Set([
  "cipher", "fallbacktorsh", "globalknownhostsfile2", "rhostsauthentication",
  "userknownhostsfile2", "useroaming", "usersh", "useprivilegedport",
]);

/** Keywords OpenSSH reports as unsupported and otherwise skips. */
export const UNSUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  "afstokenpassing", "kerberosauthentication", "kerberostgtpassing", "rsaauthentication",
  "rhostsrsaauthentication", "compressionlevel",
]);
