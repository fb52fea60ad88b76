Feature: filters
  Records are selected by exact values, prefixes and time ranges.

  Background:
    Given a data set "names" in group "names" of type "events"
      """
      {"raw_queries_allowed": true}
      """
    And "stored_timestamps_for_filtering.json" is in the data set

  Scenario: filtering by a value
    When I query the data set with "filter_by=name%3Abeta"
    Then the response has 2 results
    And result 1 has "_timestamp" equal to "2013-03-13T08:00:00+00:00"

  Scenario: filtering by a prefix, which is not a regular expression
    When I query the data set with "filter_by_prefix=name:alp"
    Then the response has 3 results
    When I query the data set with "filter_by_prefix=name:.*"
    Then the response status is 200
    And the response has 0 results

  Scenario: a time range is inclusive at the start, exclusive at the end
    When I query the data set with "start_at=2013-03-12T13:20:00Z&end_at=2013-03-18T00:00:00Z"
    Then the response has 2 results
    When I query the data set with "start_at=2013-03-12T13:20:00Z&end_at=2013-03-18T00:00:00Z&inclusive=true"
    Then the response has 3 results

  Scenario: filtered weekly counts
    When I query the data set with "period=week&filter_by=name:alpha&start_at=2013-03-11T00:00:00Z&end_at=2013-03-25T00:00:00Z"
    Then the counts are [2, 1]

  Scenario: raw queries are refused unless allowed
    Given a data set "private" in group "private" of type "events"
    When I query the data set with "filter_by=name:alpha"
    Then the response status is 400
    And the error message is "querying for raw data is not allowed"
