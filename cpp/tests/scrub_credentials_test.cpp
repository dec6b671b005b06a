// The one credential scrubber: secrets, userinfo, queries and fragments out of any text.
#include <gtest/gtest.h>

#include "gitfleet/core/scrub_credentials.hpp"

namespace {

using gitfleet::scrub_credentials;

TEST(ScrubCredentials, TheSecretAndUserinfoLeaveText) {
  EXPECT_EQ(scrub_credentials("fatal: auth for https://bob:tok123@host/x.git failed, tok123", "tok123"),
            "fatal: auth for https://host/x.git failed, ***");
  EXPECT_EQ(scrub_credentials("https://user@host/a and https://h2/b"), "https://host/a and https://h2/b");
  EXPECT_EQ(scrub_credentials("ssh://git:pw@host:22/r.git"), "ssh://host:22/r.git");
}

// An @ after the host is part of the path, not userinfo.
TEST(ScrubCredentials, AnAtInThePathStays) {
  EXPECT_EQ(scrub_credentials("https://host/users/a@b.c/x"), "https://host/users/a@b.c/x");
  EXPECT_EQ(scrub_credentials("https://host?q=a@b"), "https://host");
}

TEST(ScrubCredentials, QueriesAndFragmentsLeaveUrls) {
  EXPECT_EQ(scrub_credentials("GET https://api.example.com/user?access_token=t0k&x=1 failed"),
            "GET https://api.example.com/user failed");
  EXPECT_EQ(scrub_credentials("'http://h:8080/p#frag' then http://u:p@h/q?t=1"), "'http://h:8080/p' then http://h/q");
  EXPECT_EQ(scrub_credentials("no url? here#1"), "no url? here#1");
}

}  // namespace
