Feature: sort and limit
  Raw records and groups can be sorted by a field and limited.

  Scenario: raw records sorted numerically and limited
    Given a data set "animals" in group "animals" of type "values"
      """
      {"raw_queries_allowed": true}
      """
    And "sort_and_limit.json" is in the data set
    When I query the data set with "sort_by=value%3Adescending&limit=3"
    Then the response status is 200
    And the response has 3 results
    And result 1 has "value" equal to 8
    And result 2 has "value" equal to 8
    And result 3 has "value" equal to 7

  Scenario: the smallest group
    Given a data set "animals" in group "animals" of type "values"
    And "sort_and_limit.json" is in the data set
    When I query the data set with "group_by=type&sort_by=_count:ascending&limit=1"
    Then the results are
      """
      [{"type": "domestic", "_count": 2}]
      """

  Scenario: groups of periods sorted by count
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set
    When I query the data set with "group_by=authority&period=week&sort_by=_count:descending&start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then result 1 has "authority" equal to "Westminster"
    And result 2 has "authority" equal to "Camden"

  Scenario: a period query without groups cannot be limited
    Given a data set "licensing" in group "licensing" of type "applications"
    When I query the data set with "period=week&limit=1&start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then the response status is 400
    And the error message is "A period query can only be limited if it is grouped - please add 'group_by'"
