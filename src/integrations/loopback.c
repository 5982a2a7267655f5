/*
 * loopback.c: whether a URL points at this machine, where plain HTTP and
 * SMTP are allowed (the tests' fakes).
 */
#include "integrations/loopback.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <strings.h>

/* True when host is this machine: exactly localhost, ::1 or an address
 * in 127.0.0.0/8.  Never a prefix match, which "localhost.evil.example"
 * and "127.0.0.1.nip.io" would pass. */
static bool loopback_host(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	/* libcurl gives an IPv6 host in brackets. */
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		char bare[INET6_ADDRSTRLEN];

		if (n - 2 >= sizeof(bare))
			return false;
		memcpy(bare, host + 1, n - 2);
		bare[n - 2] = '\0';
		return inet_pton(AF_INET6, bare, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
	}
	return false;
}

/* The URL's host, as libcurl will connect to it (user info such as
 * "localhost@" is not the host), is this machine. */
bool mq_loopback_url(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	bool ok;

	if (u == NULL)
		return false;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && loopback_host(host);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

const char *mq_base_url_problem(const char *url)
{
	if (strncmp(url, "https://", 8) != 0 && !(strncmp(url, "http://", 7) == 0 && mq_loopback_url(url)))
		return "use https:// (http:// only for a server on this host)";
	for (const char *s = url; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == '?' || *s == '#')
			return "no query, fragment or spaces";
	return NULL;
}
