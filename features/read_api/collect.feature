Feature: collect
  Within groups, the values of a field are gathered as a set, counted, summed or averaged.

  Scenario: the distinct values of a field per group
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set
    When I query the data set with "group_by=licence_name&collect=authority"
    Then the response status is 200
    And the results are
      """
      [{"licence_name": "Cat herding licence", "_count": 1,
        "authority": ["Westminster"], "authority:set": ["Westminster"]},
       {"licence_name": "Temporary events notice", "_count": 4,
        "authority": ["Camden", "Westminster"], "authority:set": ["Camden", "Westminster"]}]
      """

  Scenario: sums and means, flattened as Spotlight asks
    Given a data set "animals" in group "animals" of type "values"
    And "sort_and_limit.json" is in the data set
    When I query the data set with "group_by=type&collect=value%3Asum&collect=value%3Amean&flatten=true"
    Then the response status is 200
    And the results are
      """
      [{"type": "domestic", "_count": 2, "value:sum": 6, "value:mean": 3.0},
       {"type": "wild", "_count": 4, "value:sum": 27, "value:mean": 6.75}]
      """

  Scenario: collecting within periods and groups
    Given a data set "evl" in group "evl" of type "volumetrics"
    And "evl_volumetrics.json" is in the data set
    When I query the data set with "period=month&group_by=channel&collect=volume:sum&start_at=2012-04-01T00:00:00Z&end_at=2012-06-01T00:00:00Z"
    Then the response status is 200
    And result 1 has "volume:sum" equal to 1862526
    And the counts of result 1 are [2, 0]
    And result 1 has "values" equal to [{"_start_at": "2012-04-01T00:00:00+00:00", "_end_at": "2012-05-01T00:00:00+00:00", "_count": 2, "volume:sum": 1862526}, {"_start_at": "2012-05-01T00:00:00+00:00", "_end_at": "2012-06-01T00:00:00+00:00", "_count": 0, "volume:sum": null}]

  Scenario: a period with the default collect
    Given a data set "collect_me" in group "games" of type "pickups"
    And "collectables.json" is in the data set
    When I query the data set with "period=week&collect=pickup&start_at=2013-08-05T00:00:00Z&end_at=2013-08-12T00:00:00Z"
    Then the results are
      """
      [{"_start_at": "2013-08-05T00:00:00+00:00", "_end_at": "2013-08-12T00:00:00+00:00", "_count": 2,
        "pickup": ["mushroom", "ring"], "pickup:set": ["mushroom", "ring"]}]
      """

  Scenario: summing text is refused
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set
    When I query the data set with "group_by=authority&collect=licence_name:sum"
    Then the response status is 400
    And the error message is "invalid collect function"

  Scenario: collect needs a grouping
    Given a data set "licensing" in group "licensing" of type "applications"
    When I query the data set with "collect=authority"
    Then the response status is 400
    And the error message is "collect can be used only with either ['group_by', 'period']"
