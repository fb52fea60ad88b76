Feature: data set status
  The read app reports data sets whose newest data is older than they expect (spec 1.1).

  Scenario: checking an in-date data set
    Given a data set "recent" in group "recent" of type "data"
      """
      {"max_age_expected": 60}
      """
    And the data set "recent" holds a record written just now
    When I GET "/_status/data-sets"
    Then the response status is 200
    And the response field "status" is "ok"
    And the response field "message" is "All data_sets are in date"

  Scenario: checking an out-of-date data set
    Given a data set "stale" in group "stale" of type "data"
      """
      {"max_age_expected": 1}
      """
    And the data set "stale" holds a record written just now
    When I GET "/_status/data-sets"
    Then the response status is 200
    And the response field "status" is "not okay"
    And the response field "message" is "1 data-set is out of date"
    And the response header "Access-Control-Allow-Origin" is "*"
    And the response header "Cache-Control" is "no-cache"

  Scenario: checking a data set with no max age expected
    Given a data set "unmonitored" in group "unmonitored" of type "data"
      """
      {"max_age_expected": null}
      """
    And the data set "unmonitored" holds a record written just now
    When I GET "/_status/data-sets"
    Then the response status is 200
    And the response field "status" is "ok"
