Feature: cache headers
  Answers say how long they may be cached; every answer may be read from any origin.

  Scenario: a data set that is not realtime is cached for 30 minutes
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set
    When I query the data set with "group_by=authority"
    Then the response header "Cache-Control" is "max-age=1800, must-revalidate"
    And the response header "Access-Control-Allow-Origin" is "*"

  Scenario: a realtime data set is cached for 2 minutes
    Given a data set "licensing" in group "licensing" of type "applications"
      """
      {"realtime": true}
      """
    When I query the data set with "group_by=authority"
    Then the response header "Cache-Control" is "max-age=120, must-revalidate"

  Scenario: an unpublished data set is not cached and says so
    Given a data set "licensing" in group "licensing" of type "applications"
      """
      {"published": false}
      """
    And "licensing_2.json" is in the data set
    When I query the data set with "group_by=authority"
    Then the response status is 200
    And the response header "Cache-Control" is "no-cache"
    And the response warns "Warning: This data-set is unpublished. Data may be subject to change or be inaccurate."

  Scenario: errors are not cached
    Given a data set "licensing" in group "licensing" of type "applications"
    When I query the data set with "period=fortnight"
    Then the response status is 400
    And the response has no "Cache-Control" header
    And the response header "Access-Control-Allow-Origin" is "*"

  Scenario: the legacy route answers 304 for a matching ETag, also for an error
    Given a data set "licensing" in group "licensing" of type "applications"
    When I query the data set by its name without parameters
    Then the response status is 400
    When I send the same request with its ETag
    Then the response status is 304
    And the response has an empty body

  Scenario: a preflight request
    Given a data set "licensing" in group "licensing" of type "applications"
    When I send a preflight request to the data set
    Then the response status is 200
    And the response header "Access-Control-Max-Age" is "86400"
    And the response header "Access-Control-Allow-Headers" is "cache-control, govuk-request-id, request-id"
    And the response header "Access-Control-Allow-Origin" is "*"
    And the response has no "Cache-Control" header
