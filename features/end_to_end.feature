Feature: end to end
  A collector writes records with its token; a dashboard reads them back.

  Scenario: write and retrieve data
    Given a data set "reptiles" in group "reptiles" of type "fertility"
      """
      {"raw_queries_allowed": true}
      """
    When I POST "dinosaurs.json" to "/data/reptiles/fertility" with the data set's token
    Then the response status is 200
    When I GET "/data/reptiles/fertility?filter_by=size:big"
    Then the response status is 200
    And the response has 2 results
